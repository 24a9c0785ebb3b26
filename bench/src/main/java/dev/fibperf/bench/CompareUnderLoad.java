package dev.fibperf.bench;

import dev.fibperf.client.CompareOptions;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.SpeedupEstimate;
import dev.fibperf.client.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Does a Compare's interval see through load? Sittings of two Compares of the default inputs on one
 * 2-worker server, interleaved (order alternating): one quiet, one beside a process that keeps a
 * core busy for {@code duty} of every 100 ms. Prints each estimate with its interval, half-width
 * and rounds, and whether the loaded interval contains the quiet estimate.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.CompareUnderLoad [sittings] [duty] [budget]
 * </pre>
 */
public final class CompareUnderLoad {
  private CompareUnderLoad() {}

  public static void main(String[] args) throws Exception {
    int sittings = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    double duty = args.length > 1 ? Double.parseDouble(args[1]) : 0.3;
    Duration budget = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 10);
    Workload workload = Workload.of(34, 35, 36, 35);
    CompareOptions options = CompareOptions.DEFAULT.withBudget(budget);
    int contained = 0;
    try (ServerJvm server = ServerJvm.start("--workers=2", "--metrics-port=-1");
        FibPerfClient client = server.client()) {
      // Warm the whole server, not only the kernel: its first Compares still compile.
      for (int i = 0; i < 3; i++) {
        client.compare(workload, options.withBudget(Duration.ofSeconds(3)));
      }
      for (int s = 1; s <= sittings; s++) {
        boolean loadedFirst = s % 2 == 0;
        Comparison first =
            loadedFirst
                ? loaded(client, workload, options, duty)
                : client.compare(workload, options);
        Comparison second =
            loadedFirst
                ? client.compare(workload, options)
                : loaded(client, workload, options, duty);
        Comparison quiet = loadedFirst ? second : first;
        Comparison load = loadedFirst ? first : second;
        SpeedupEstimate q = quiet.estimate().orElseThrow();
        // The loaded Compare's interval: its estimate's, or, when contended, the one with its
        // core wait taken out.
        double[] interval = interval(load.estimate().orElseThrow());
        boolean contains =
            interval != null && interval[0] <= q.speedup() && q.speedup() <= interval[1];
        if (contains) {
          contained++;
        }
        System.out.printf(
            Locale.ROOT,
            "sitting %2d  quiet %s  |  loaded %s  |  loaded interval %s the quiet estimate%n",
            s,
            describe(quiet),
            describe(load),
            contains ? "contains" : "MISSES");
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d of %d sittings: the loaded interval contains the quiet estimate (duty %.0f%%, budget %s)%n",
        contained,
        sittings,
        100 * duty,
        budget);
  }

  private static Comparison loaded(
      FibPerfClient client, Workload workload, CompareOptions options, double duty)
      throws Exception {
    Process hog =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DutyCycleHog.class.getName(),
                Double.toString(duty))
            .inheritIO()
            .start();
    try {
      Thread.sleep(300); // the hog's JVM started and spinning
      return client.compare(workload, options);
    } finally {
      hog.destroyForcibly().waitFor();
    }
  }

  private static double[] interval(SpeedupEstimate e) {
    if (e.coreWaitRemoved().isPresent()) {
      SpeedupEstimate.CoreWaitRemoved free = e.coreWaitRemoved().get();
      return free.low().isPresent()
          ? new double[] {free.low().getAsDouble(), free.high().getAsDouble()}
          : null;
    }
    return e.speedupLow().isPresent()
        ? new double[] {e.speedupLow().getAsDouble(), e.speedupHigh().getAsDouble()}
        : null;
  }

  private static String describe(Comparison c) {
    SpeedupEstimate e = c.estimate().orElseThrow();
    String line =
        String.format(
            Locale.ROOT,
            "%.3fx [%s] ±%4.1f%% %2d/%2d rounds %-9s",
            e.speedup(),
            e.speedupLow().isPresent()
                ? String.format(
                    Locale.ROOT,
                    "%.3f–%.3f",
                    e.speedupLow().getAsDouble(),
                    e.speedupHigh().getAsDouble())
                : "no interval",
            100 * e.relativeHalfWidth(),
            e.roundsUsed(),
            e.rounds(),
            c.verdict());
    if (e.coreWaitRemoved().isPresent()) {
      SpeedupEstimate.CoreWaitRemoved free = e.coreWaitRemoved().get();
      double[] interval = interval(e);
      line +=
          String.format(
              Locale.ROOT,
              " core wait removed %.3fx [%s] ±%4.1f%% %2d rounds",
              free.speedup(),
              interval == null
                  ? "no interval"
                  : String.format(Locale.ROOT, "%.3f–%.3f", interval[0], interval[1]),
              interval == null ? 0 : 100 * (interval[1] - interval[0]) / 2 / free.speedup(),
              free.roundsUsed());
    }
    return line;
  }

  /** Keeps one core busy for {@code duty} of every 100 ms. */
  public static final class DutyCycleHog {
    private DutyCycleHog() {}

    public static void main(String[] args) throws InterruptedException {
      double duty = Double.parseDouble(args[0]);
      long busy = (long) (100_000_000L * duty);
      long x = 0;
      while (true) {
        long until = System.nanoTime() + busy;
        while (System.nanoTime() < until) {
          x++;
        }
        Thread.sleep(100 - busy / 1_000_000, (int) (x & 1));
      }
    }
  }
}
