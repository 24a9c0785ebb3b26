package dev.fibperf.bench;

import dev.fibperf.client.CompareOptions;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.SpeedupEstimate;
import dev.fibperf.client.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Does a Compare's interval see through load? Sittings of two Compares of the default inputs on one
 * 2-worker server, interleaved (order alternating): one quiet, one beside a process that keeps a
 * core busy for {@code duty} of every 100 ms. Prints each estimate with its interval, half-width
 * and rounds, and whether the loaded interval contains the quiet estimate: its own, and its
 * interval across Compares (each kind labelled apart; {@code seeds} sittings first, not counted,
 * give each label its first Compares).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.CompareUnderLoad [sittings] [duty] [budget] [seeds]
 * </pre>
 */
public final class CompareUnderLoad {
  private CompareUnderLoad() {}

  public static void main(String[] args) throws Exception {
    int sittings = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    double duty = args.length > 1 ? Double.parseDouble(args[1]) : 0.3;
    Duration budget = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 10);
    int seeds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    // Each population under a label of its own, so each Compare's interval across Compares is
    // drawn from its own kind only.
    Workload quietWork = Workload.of(34, 35, 36, 35).withLabel("quiet");
    Workload loadedWork = Workload.of(34, 35, 36, 35).withLabel("loaded");
    CompareOptions options = CompareOptions.DEFAULT.withBudget(budget);
    int contained = 0;
    int containedAcross = 0;
    try (ServerJvm server = ServerJvm.start("--workers=2", "--metrics-port=-1");
        FibPerfClient client = server.client()) {
      // Warm the whole server, not only the kernel: its first Compares still compile.
      for (int i = 0; i < 3; i++) {
        client.compare(Workload.of(34, 35, 36, 35), options.withBudget(Duration.ofSeconds(3)));
      }
      for (int s = 1 - seeds; s <= sittings; s++) {
        boolean loadedFirst = s % 2 == 0;
        Comparison first =
            loadedFirst
                ? loaded(client, loadedWork, options, duty)
                : client.compare(quietWork, options);
        Comparison second =
            loadedFirst
                ? client.compare(quietWork, options)
                : loaded(client, loadedWork, options, duty);
        Comparison quiet = loadedFirst ? second : first;
        Comparison load = loadedFirst ? first : second;
        SpeedupEstimate q = quiet.estimate().orElseThrow();
        SpeedupEstimate l = load.estimate().orElseThrow();
        // The loaded Compare's interval: its estimate's, or, when contended, the one with its
        // core wait taken out.
        double[] interval = interval(l);
        boolean contains =
            interval != null && interval[0] <= q.speedup() && q.speedup() <= interval[1];
        Optional<SpeedupEstimate.AcrossCompares> across = l.acrossCompares();
        boolean containsAcross =
            across.isPresent()
                && across.get().low() <= q.speedup()
                && q.speedup() <= across.get().high();
        if (s < 1) {
          System.out.printf(
              Locale.ROOT,
              "seed %2d     quiet %s  |  loaded %s%n",
              s + seeds,
              describe(quiet),
              describe(load));
          continue;
        }
        contained += contains ? 1 : 0;
        containedAcross += containsAcross ? 1 : 0;
        System.out.printf(
            Locale.ROOT,
            "sitting %2d  quiet %s  |  loaded %s  |  its interval %s, across Compares %s the quiet"
                + " estimate%n",
            s,
            describe(quiet),
            describe(load),
            contains ? "contains" : "MISSES",
            across.isEmpty() ? "(none)" : containsAcross ? "contains" : "MISSES");
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d of %d sittings: the loaded interval contains the quiet estimate (duty %.0f%%, budget %s)%n",
        contained,
        sittings,
        100 * duty,
        budget);
    System.out.printf(
        Locale.ROOT,
        "%d of %d sittings: the loaded Compare's interval across Compares contains the quiet"
            + " estimate%n",
        containedAcross,
        sittings);
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
    if (e.acrossCompares().isPresent()) {
      SpeedupEstimate.AcrossCompares a = e.acrossCompares().get();
      line += String.format(Locale.ROOT, " across %d: %.3f–%.3f", a.compares(), a.low(), a.high());
    }
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
