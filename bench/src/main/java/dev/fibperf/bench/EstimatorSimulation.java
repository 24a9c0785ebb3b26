package dev.fibperf.bench;

import dev.fibperf.server.analysis.NoteKind;
import dev.fibperf.server.analysis.RatioInterval;
import dev.fibperf.server.analysis.RoundPolicy;
import dev.fibperf.server.analysis.RoundsAnalysis;
import dev.fibperf.server.analysis.Verdict;
import dev.fibperf.server.testing.RoundSimulator;
import dev.fibperf.server.testing.RoundSimulator.Noise;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which estimator of a Compare's speedup over its clean rounds: the ratio of means (Σ serial / Σ
 * parallel), the median of the rounds' ratios, or their geometric mean. Simulated Compares ({@link
 * RoundSimulator}: a known truth, three noise shapes, the real stopping rule and round verdicts),
 * each estimator's bias and root-mean-square error against the truth, and the coverage of the
 * interval fibperf reports (on the ratio of means) among Compares called clean. On a busy machine
 * no round is clean: there the estimators work on the free walls of the rounds lost only to core
 * wait, and the coverage is that of the core-wait-removed interval against the undisturbed truth.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.EstimatorSimulation [compares]
 * </pre>
 */
public final class EstimatorSimulation {
  private EstimatorSimulation() {}

  public static void main(String[] args) {
    int compares = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    System.out.printf(
        Locale.ROOT,
        "%-20s %7s | %-22s | %-22s | %-22s | %s%n",
        "noise",
        "truth",
        "ratio of means bias/RMSE",
        "median of ratios",
        "geometric mean",
        "clean (busy: removed): interval covers truth");
    for (Noise noise : Noise.values()) {
      double[][] errors = new double[3][compares];
      int clean = 0;
      int covered = 0;
      double truth = RoundSimulator.truth(noise);
      for (int i = 0; i < compares; i++) {
        RoundPolicy policy =
            new RoundPolicy(
                0,
                Duration.ofSeconds(5),
                RoundPolicy.DEFAULT_TARGET_PRECISION,
                i + 1,
                RoundPolicy.MAX_ROUNDS);
        RoundsAnalysis a =
            new RoundSimulator(noise, 1_000_000L * noise.ordinal() + i).compare(policy).analysis();
        // A busy machine leaves no round clean: there the estimate is the one with core wait
        // removed, over the rounds lost only to it, on their free walls.
        boolean removed = noise == Noise.BUSY_MACHINE && a.coreWaitRemoved() != null;
        List<RoundsAnalysis.Round> used =
            a.rounds().stream().filter(r -> removed ? lostOnlyToCoreWait(r) : r.used()).toList();
        double[] ratios =
            used.stream()
                .mapToDouble(
                    r ->
                        removed
                            ? (double) r.serial().freeWall().toNanos()
                                / r.parallel().freeWall().toNanos()
                            : (double) r.serial().wall().toNanos() / r.parallel().wall().toNanos())
                .sorted()
                .toArray();
        RatioInterval reported = removed ? a.coreWaitRemoved() : a.speedup();
        double ratioOfMeans = reported.estimate();
        double median =
            ratios.length % 2 == 1
                ? ratios[ratios.length / 2]
                : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
        double geometric = Math.exp(Arrays.stream(ratios).map(Math::log).average().orElse(0));
        errors[0][i] = ratioOfMeans - truth;
        errors[1][i] = median - truth;
        errors[2][i] = geometric - truth;
        if (a.verdict() == Verdict.CLEAN || (removed && reported.hasInterval())) {
          clean++;
          if (reported.contains(truth)) {
            covered++;
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%-20s %7.4f | %s | %s | %s | %d of %d (%.1f %%)%n",
          noise,
          truth,
          describe(errors[0]),
          describe(errors[1]),
          describe(errors[2]),
          covered,
          clean,
          100.0 * covered / clean);
    }
  }

  private static boolean lostOnlyToCoreWait(RoundsAnalysis.Round r) {
    return r.used()
        || (r.exclusion() != null
            && (r.exclusion().kind() == NoteKind.CONTENDED_CORES
                || r.exclusion().kind() == NoteKind.CONTENDED_CPU));
  }

  private static String describe(double[] errors) {
    double bias = Arrays.stream(errors).average().orElse(0);
    double rmse = Math.sqrt(Arrays.stream(errors).map(e -> e * e).average().orElse(0));
    return String.format(Locale.ROOT, "%+9.4f / %8.4f    ", bias, rmse);
  }
}
