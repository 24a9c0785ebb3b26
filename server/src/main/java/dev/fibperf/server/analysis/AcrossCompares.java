package dev.fibperf.server.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * Where another Compare of the same workload on this server would land: a 95 % prediction interval
 * from the headline speedups of its last few Compares, each taken as one repetition of the whole
 * measurement.
 *
 * <p>Why a level above the rounds: a Compare's own interval comes from its rounds, which share the
 * host's state of the moment. On a shared host that state lasts longer than a Compare, and two
 * quiet Compares back to back differ by more than either interval admits (BENCHMARKS, "the control,
 * two quiet Compares": 1 of 10). Kalibera and Jones (ISMM 2013) make the same point for benchmarks:
 * the variation at the highest level repeated dominates, so repeat that level.
 *
 * <p>The interval is {@code exp(m ± t(0.975, k-1) × s × sqrt(1 + 1/k))}, with {@code m} and {@code
 * s} the mean and standard deviation of the {@code k} log speedups: the textbook prediction
 * interval for one more draw, on the log scale because speedups are ratios.
 *
 * @param compares how many Compares it is drawn from, this one included
 * @param low the interval's lower end
 * @param high its upper end
 * @param spread {@code s}, the log speedups' standard deviation (0.04: about 4 %)
 * @param typical {@code exp(m)}, the Compares' geometric mean
 */
public record AcrossCompares(int compares, double low, double high, double spread, double typical) {
  /** Fewer Compares than this give no interval: with 3, t alone is 4.3. */
  public static final int MIN_COMPARES = 4;

  /** The most recent Compares it is drawn from, this one included. */
  public static final int MAX_COMPARES = 10;

  /**
   * The interval from this Compare's headline speedup and those of the Compares before it, most
   * recent first (only the first {@link #MAX_COMPARES} - 1 are used). Speedups that are not
   * positive finite numbers are skipped.
   */
  public static Optional<AcrossCompares> of(double current, List<Double> before) {
    List<Double> logs = new ArrayList<>();
    if (usable(current)) {
      logs.add(Math.log(current));
    } else {
      return Optional.empty();
    }
    for (double s : before) {
      if (logs.size() == MAX_COMPARES) {
        break;
      }
      if (usable(s)) {
        logs.add(Math.log(s));
      }
    }
    int k = logs.size();
    if (k < MIN_COMPARES) {
      return Optional.empty();
    }
    double mean = logs.stream().mapToDouble(Double::doubleValue).sum() / k;
    double squares = 0;
    for (double y : logs) {
      squares += (y - mean) * (y - mean);
    }
    double sd = Math.sqrt(squares / (k - 1));
    double half =
        TDistribution.of(k - 1).inverseCumulativeProbability(0.975) * sd * Math.sqrt(1 + 1.0 / k);
    return Optional.of(
        new AcrossCompares(k, Math.exp(mean - half), Math.exp(mean + half), sd, Math.exp(mean)));
  }

  /**
   * A Compare's headline speedup, the figure compared across Compares: its estimate when it is
   * clean or noisy, the core-wait-removed estimate when contended, none (NaN) otherwise.
   */
  public static double headline(Verdict verdict, double estimate, double coreWaitRemoved) {
    return switch (verdict) {
      case CLEAN, NOISY -> estimate;
      case CONTENDED -> coreWaitRemoved > 0 ? coreWaitRemoved : Double.NaN;
      default -> Double.NaN;
    };
  }

  private static boolean usable(double speedup) {
    return Double.isFinite(speedup) && speedup > 0;
  }
}
