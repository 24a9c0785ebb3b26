package dev.fibperf.bench;

import dev.fibperf.server.analysis.schedule.Schedules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How long {@link Schedules#optimal} takes on random real-valued costs (the hard case: no schedule
 * meets the lower bound, so proving the optimum means exhausting the search), and how often it
 * proves it within its node budget. Seeded; prints the median and max time per instance.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.ScheduleSolverTiming [instances]
 * </pre>
 */
public final class ScheduleSolverTiming {
  private ScheduleSolverTiming() {}

  public static void main(String[] args) {
    int instances = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Random warm = new Random(1);
    // Until the JIT has compiled the subset-sum loops (some 300 solves of 30 tasks), a solve takes
    // several times as long; this measures the server after its first few Compares.
    for (int i = 0; i < 300; i++) {
      Schedules.optimal(costs(warm, 30), 2);
      Schedules.optimal(costs(warm, 22), 3 + i % 2);
    }
    System.out.printf(Locale.ROOT, "java %s, %d instances per row%n", Runtime.version(), instances);
    System.out.printf(
        Locale.ROOT,
        "  %7s %5s %12s %12s %8s %14s%n",
        "workers",
        "tasks",
        "median ms",
        "max ms",
        "proven",
        "max gap");
    int[][] rows = {
      {2, 10}, {2, 30}, {2, 32}, {2, 36}, {3, 14}, {3, 22}, {3, 30}, {3, 32}, {4, 14}, {4, 22},
      {4, 30}, {4, 32}, {5, 30}, {6, 30}, {8, 30}
    };
    for (int[] row : rows) {
      Random random = new Random(42L * row[0] + row[1]);
      double[] ms = new double[instances];
      int proven = 0;
      double maxGap = 0;
      for (int i = 0; i < instances; i++) {
        List<Double> costs = costs(random, row[1]);
        long t0 = System.nanoTime();
        Schedules.Schedule s = Schedules.optimal(costs, row[0]);
        ms[i] = (System.nanoTime() - t0) / 1e6;
        proven += s.proven() ? 1 : 0;
        maxGap = Math.max(maxGap, s.provenGap());
      }
      Arrays.sort(ms);
      System.out.printf(
          Locale.ROOT,
          "  %7d %5d %12.2f %12.2f %5d/%d %13.5f%%%n",
          row[0],
          row[1],
          ms[instances / 2],
          ms[instances - 1],
          proven,
          instances,
          100 * maxGap);
    }
  }

  private static List<Double> costs(Random random, int n) {
    List<Double> costs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      costs.add(1e6 * (1 + 99 * random.nextDouble()));
    }
    return costs;
  }
}
