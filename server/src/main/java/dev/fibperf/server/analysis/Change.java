package dev.fibperf.server.analysis;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.descriptive.Quantile;

/**
 * How a figure moved from a baseline run to a later one of the same workload, as criterion's change
 * detection does it: the ratio (run / baseline), a bootstrap confidence interval around it, and a
 * verdict that calls a change only when the whole interval lies beyond a noise threshold.
 *
 * @param ratio run / baseline
 * @param low lower end of the interval; NaN with too few samples
 * @param high upper end of the interval; NaN with too few samples
 * @param samples the run's samples (rounds or tasks)
 * @param baselineSamples the baseline's
 */
public record Change(
    double ratio, double low, double high, int samples, int baselineSamples, Verdict verdict) {

  /** A change within 2 % is noise on these machines (criterion's default threshold too). */
  public static final double NOISE_THRESHOLD = 0.02;

  public static final double CONFIDENCE = 0.95;

  /** Each side's fewest samples for an interval: the same floor as a Compare's rounds. */
  public static final int MIN_SAMPLES = RatioInterval.MIN_PAIRS;

  /** What the interval says. */
  public enum Verdict {
    /** A cost or wall went down beyond the noise. */
    FASTER,
    /** A cost or wall went up beyond the noise. */
    SLOWER,
    /** A speedup went up beyond the noise. */
    HIGHER,
    /** A speedup went down beyond the noise. */
    LOWER,
    NO_DETECTABLE_CHANGE,
    TOO_FEW_SAMPLES
  }

  /** What the figure is: a cost (lower is faster) or a speedup (higher is better). */
  public enum Figure {
    COST,
    SPEEDUP
  }

  /**
   * Two independent sets of rounds: the ratio of (Σ num / Σ den) over the run's rounds to the same
   * over the baseline's, with a percentile bootstrap that resamples each side's rounds on its own
   * (a round's numerator and denominator stay together). A cost is a ratio with every {@code den}
   * 1.
   */
  public static Change ofRounds(
      double[] num, double[] den, double[] baseNum, double[] baseDen, Figure figure, long seed) {
    double ratio = ratioOfSums(num, den, null) / ratioOfSums(baseNum, baseDen, null);
    int n = num.length;
    int m = baseNum.length;
    if (n < MIN_SAMPLES || m < MIN_SAMPLES) {
      return new Change(ratio, Double.NaN, Double.NaN, n, m, Verdict.TOO_FEW_SAMPLES);
    }
    UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
    double[] ratios = new double[RatioInterval.RESAMPLES];
    int[] picks = new int[n];
    int[] basePicks = new int[m];
    for (int b = 0; b < ratios.length; b++) {
      for (int i = 0; i < n; i++) {
        picks[i] = random.nextInt(n);
      }
      for (int i = 0; i < m; i++) {
        basePicks[i] = random.nextInt(m);
      }
      ratios[b] = ratioOfSums(num, den, picks) / ratioOfSums(baseNum, baseDen, basePicks);
    }
    double alpha = 1 - CONFIDENCE;
    double[] q = Quantile.withDefaults().evaluate(ratios, alpha / 2, 1 - alpha / 2);
    double low = Math.min(ratio, q[0]);
    double high = Math.max(ratio, q[1]);
    return new Change(ratio, low, high, n, m, verdict(low, high, figure));
  }

  /**
   * Samples paired by position (the same task of the same workload in both runs): Σ run / Σ
   * baseline, with {@link RatioInterval}'s bootstrap over the pairs.
   */
  public static Change ofPairs(double[] run, double[] baseline, Figure figure, long seed) {
    RatioInterval r = RatioInterval.of(run, baseline, CONFIDENCE, seed);
    if (!r.hasInterval()) {
      return new Change(
          r.estimate(),
          Double.NaN,
          Double.NaN,
          run.length,
          baseline.length,
          Verdict.TOO_FEW_SAMPLES);
    }
    return new Change(
        r.estimate(),
        r.low(),
        r.high(),
        run.length,
        baseline.length,
        verdict(r.low(), r.high(), figure));
  }

  static Verdict verdict(double low, double high, Figure figure) {
    if (high < 1 - NOISE_THRESHOLD) {
      return figure == Figure.COST ? Verdict.FASTER : Verdict.LOWER;
    }
    if (low > 1 + NOISE_THRESHOLD) {
      return figure == Figure.COST ? Verdict.SLOWER : Verdict.HIGHER;
    }
    return Verdict.NO_DETECTABLE_CHANGE;
  }

  /** Whether the interval was computed. */
  public boolean hasInterval() {
    return !Double.isNaN(low);
  }

  private static double ratioOfSums(double[] num, double[] den, int[] picks) {
    double top = 0;
    double bottom = 0;
    int n = picks == null ? num.length : picks.length;
    for (int i = 0; i < n; i++) {
      int k = picks == null ? i : picks[i];
      top += num[k];
      bottom += den[k];
    }
    return top / bottom;
  }
}
