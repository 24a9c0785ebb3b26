package dev.fibperf.bench;

import dev.fibperf.client.CompareOptions;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.Schedule;
import dev.fibperf.client.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Compare's figures where they used to be false, each against a fresh server JVM (so "first call"
 * means a cold JIT, as a new user meets it):
 *
 * <ol>
 *   <li>a fresh server's first Compare against its next five;
 *   <li>a Compare started behind another call, exclusive (the default) and shared;
 *   <li>largest-first against the measured-optimal schedule, rounds interleaved, on inputs where
 *       largest-first is far from the optimum.
 * </ol>
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.CompareFigures [servers] [rounds]
 * </pre>
 */
public final class CompareFigures {
  private static final Workload DEMO = Workload.of(38, 39, 40, 39);
  private static final Workload UNEVEN = Workload.of(35, 38, 38, 38, 39, 39);

  private CompareFigures() {}

  public static void main(String[] args) throws Exception {
    int servers = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
    System.out.printf(Locale.ROOT, "java %s, %d fresh servers%n", Runtime.version(), servers);

    System.out.println("== first Compare on a fresh server vs the next five (" + DEMO + ")");
    for (int s = 0; s < servers; s++) {
      try (ServerJvm server = ServerJvm.start();
          FibPerfClient client = server.client()) {
        List<String> line = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          Comparison c = client.compare(DEMO);
          line.add(String.format(Locale.ROOT, "%.2fx %s", c.speedup(), c.verdict()));
        }
        System.out.println(
            "  server " + (s + 1) + ": first " + line.get(0) + "; then " + line.subList(1, 6));
      }
    }

    System.out.println("== a Compare behind another call (Parallel 38,38,38,38)");
    try (ServerJvm server = ServerJvm.start();
        FibPerfClient client = server.client()) {
      client.compare(DEMO); // warm
      for (boolean exclusive : new boolean[] {true, false}) {
        for (int r = 0; r < 3; r++) {
          CompletableFuture<RunSummary> other = client.parallelAsync(Workload.of(38, 38, 38, 38));
          Thread.sleep(50); // the other call holds the workers
          Comparison c = client.compare(DEMO, CompareOptions.DEFAULT.withExclusive(exclusive));
          other.join();
          System.out.printf(
              Locale.ROOT,
              "  %s: speedup %.2fx, verdict %s, waited %s, CPU share serial %.0f%% parallel %.0f%%%n",
              exclusive ? "exclusive" : "shared   ",
              c.speedup(),
              c.verdict(),
              ms(c.isolationWait()),
              100 * c.serial().cpuShare(),
              100 * c.parallel().cpuShare());
        }
      }
    }

    System.out.println(
        "== largest-first vs measured-optimal (" + UNEVEN + ", " + rounds + " rounds)");
    try (ServerJvm server = ServerJvm.start();
        FibPerfClient client = server.client()) {
      client.compare(UNEVEN); // warm
      double[][] attainment = new double[2][rounds];
      double[][] wall = new double[2][rounds];
      Comparison last = null;
      for (int r = 0; r < rounds; r++) {
        for (Schedule schedule : Schedule.values()) {
          Comparison c = client.compare(UNEVEN, CompareOptions.DEFAULT.withSchedule(schedule));
          attainment[schedule.ordinal()][r] = c.attainment();
          wall[schedule.ordinal()][r] = c.parallel().wall().toNanos() / 1e6;
          last = c;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "  optimal makespan %s, largest-first makespan %s (of the measured costs)%n",
          ms(last.optimalMakespan()),
          ms(last.largestFirstMakespan()));
      for (Schedule schedule : Schedule.values()) {
        int k = schedule.ordinal();
        System.out.printf(
            Locale.ROOT,
            "  %-16s parallel wall median %.1f ms [%.1f, %.1f], attainment median %.0f%% [%.0f, %.0f]%n",
            schedule,
            median(wall[k]),
            min(wall[k]),
            max(wall[k]),
            100 * median(attainment[k]),
            100 * min(attainment[k]),
            100 * max(attainment[k]));
      }
    }
  }

  private static String ms(Duration d) {
    return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(0);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(0);
  }
}
