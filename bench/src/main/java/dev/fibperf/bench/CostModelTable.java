package dev.fibperf.bench;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import java.util.Arrays;
import java.util.Locale;

/**
 * Each algorithm's cost model against its measured growth: for every n, the median time of fib(n)
 * (after warm-up, rounds interleaved across n) and the model's cost, both as a ratio to the largest
 * n's. The model only orders tasks before anything is measured, but its ratios should follow the
 * measured ones.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.CostModelTable [rounds]
 * </pre>
 */
public final class CostModelTable {
  private static Object sink;

  private CostModelTable() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    table(Algorithm.NAIVE, new int[] {20, 24, 28, 30, 32}, rounds);
    table(Algorithm.ITERATIVE, new int[] {100, 1000, 2500, 5000, 10000}, rounds);
    table(Algorithm.FAST_DOUBLING, new int[] {100, 1000, 2500, 5000, 10000}, rounds);
  }

  private static void table(Algorithm algorithm, int[] ns, int rounds) {
    for (int warm = 0; warm < 200; warm++) {
      for (int n : ns) {
        sink = algorithm.compute(Math.min(n, 24), CancellationToken.NONE);
        sink = algorithm.compute(n, CancellationToken.NONE);
      }
    }
    double[][] nanos = new double[ns.length][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < ns.length; i++) {
        nanos[i][r] = time(algorithm, ns[i]);
      }
    }
    double[] median = new double[ns.length];
    for (int i = 0; i < ns.length; i++) {
      Arrays.sort(nanos[i]);
      median[i] = nanos[i][rounds / 2];
    }
    int last = ns.length - 1;
    System.out.printf(
        Locale.ROOT,
        "%s (java %s, %d rounds)%n  %8s %14s %16s %14s%n",
        algorithm,
        Runtime.version(),
        rounds,
        "n",
        "median time",
        "measured ratio",
        "model ratio");
    for (int i = 0; i < ns.length; i++) {
      System.out.printf(
          Locale.ROOT,
          "  %8d %11.1f us %16.4f %14.4f%n",
          ns[i],
          median[i] / 1e3,
          median[i] / median[last],
          algorithm.cost(ns[i]) / algorithm.cost(ns[last]));
    }
  }

  /** One timing: enough calls of fib(n) to take about 20 ms, divided out. */
  private static double time(Algorithm algorithm, int n) {
    long t0 = System.nanoTime();
    sink = algorithm.compute(n, CancellationToken.NONE);
    long one = Math.max(1, System.nanoTime() - t0);
    int calls = (int) Math.max(1, Math.min(100_000, 20_000_000 / one));
    t0 = System.nanoTime();
    for (int c = 0; c < calls; c++) {
      sink = algorithm.compute(n, CancellationToken.NONE);
    }
    return (double) (System.nanoTime() - t0) / calls;
  }
}
