package dev.fibperf.bench;

import dev.fibperf.server.compute.FibKernels;
import java.time.Duration;
import java.util.Arrays;
import jdk.jfr.Recording;

/**
 * What JFR execution sampling costs recursive fib by itself, with no fibperf code around it: the
 * floor under ProfileSerial's overhead. Each round runs fib(n) unrecorded, recorded (a bare {@code
 * Recording} with only {@code jdk.ExecutionSample} at the given period), and unrecorded again, and
 * takes recorded / mean(unrecorded); the median over rounds is reported, per period.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.BareJfrOverhead [n] [rounds] [period-ms,...]
 * </pre>
 */
public final class BareJfrOverhead {
  private static long sink;

  private BareJfrOverhead() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 34;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    int[] periodsMs =
        args.length > 2
            ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
            : new int[] {1, 2, 10};
    for (int i = 0; i < 5; i++) {
      time(n, 1); // let the JIT settle first
    }
    // JFR's one-time start is not what is measured.
    record(Duration.ofMillis(1), () -> time(n, 1));

    System.out.printf("java %s, fib(%d), %d rounds%n", Runtime.version(), n, rounds);
    for (int ms : periodsMs) {
      Duration period = Duration.ofMillis(ms);
      double[] ratios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        double before = time(n, 4);
        double[] recorded = new double[1];
        record(period, () -> recorded[0] = time(n, 8));
        double after = time(n, 4);
        ratios[r] = recorded[0] / (before + after);
      }
      Arrays.sort(ratios);
      System.out.printf(
          "period %3d ms: overhead median %+.1f%% (min %+.1f%%, max %+.1f%%)%n",
          ms,
          100 * (ratios[rounds / 2] - 1),
          100 * (ratios[0] - 1),
          100 * (ratios[rounds - 1] - 1));
    }
  }

  private static void record(Duration period, Runnable body) {
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(period);
      recording.start();
      body.run();
      recording.stop();
    }
  }

  /** Milliseconds for {@code reps} calls of naive fib(n). */
  private static double time(int n, int reps) {
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      sink += FibKernels.naive(n);
    }
    return (System.nanoTime() - t0) / 1e6;
  }
}
