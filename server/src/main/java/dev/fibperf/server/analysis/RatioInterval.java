package dev.fibperf.server.analysis;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.descriptive.Quantile;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * A ratio of two means over paired samples (Σ numerator / Σ denominator: e.g. the serial walls of a
 * Compare's rounds over their parallel walls), with a bootstrap confidence interval.
 *
 * <p>The interval resamples whole pairs (a round's two phases stay together, so whatever slowed a
 * round slows both of its figures) and takes the expanded percentile interval of Hesterberg ("What
 * Teachers Should Know About the Bootstrap", The American Statistician 69(4), 2015): the plain
 * percentile interval is too narrow for a handful of samples, by the factor √((n−1)/n) and by using
 * normal rather than t quantiles; the expanded one widens the percentiles it reads to α' =
 * 2Φ(−√(n/(n−1)) · t<sub>α/2, n−1</sub>), which restores the coverage of a t interval. The
 * generator is seeded: the same pairs and seed give the same interval.
 *
 * @param estimate Σ numerators / Σ denominators
 * @param low lower end of the interval (NaN with fewer than {@link #MIN_PAIRS} pairs)
 * @param high upper end of the interval (NaN with fewer than {@link #MIN_PAIRS} pairs)
 * @param pairs how many pairs it is computed from
 */
public record RatioInterval(double estimate, double low, double high, int pairs) {
  /** The fewest pairs an interval is computed from. */
  public static final int MIN_PAIRS = 3;

  /** Bootstrap resamples per interval: percentiles to about a tenth of a percent. */
  public static final int RESAMPLES = 4000;

  /**
   * @param numerators one per pair
   * @param denominators one per pair, all positive
   * @param confidence e.g. 0.95
   * @param seed the bootstrap's generator seed
   */
  public static RatioInterval of(
      double[] numerators, double[] denominators, double confidence, long seed) {
    int n = numerators.length;
    if (denominators.length != n) {
      throw new IllegalArgumentException(
          n + " numerators, " + denominators.length + " denominators");
    }
    double estimate = ratioOfSums(numerators, denominators, null);
    if (n < MIN_PAIRS) {
      return new RatioInterval(estimate, Double.NaN, Double.NaN, n);
    }
    UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
    double[] resampled = new double[RESAMPLES];
    int[] picks = new int[n];
    for (int b = 0; b < RESAMPLES; b++) {
      for (int i = 0; i < n; i++) {
        picks[i] = random.nextInt(n);
      }
      resampled[b] = ratioOfSums(numerators, denominators, picks);
    }
    double alpha = expandedAlpha(1 - confidence, n);
    double[] ends = Quantile.withDefaults().evaluate(resampled, alpha / 2, 1 - alpha / 2);
    return new RatioInterval(estimate, ends[0], ends[1], n);
  }

  /**
   * Hesterberg's expanded tail probability: the α at which percentiles of the bootstrap
   * distribution match a t interval's width for {@code n} samples.
   */
  static double expandedAlpha(double alpha, int n) {
    double t = TDistribution.of(n - 1).inverseSurvivalProbability(alpha / 2);
    return 2 * NormalDistribution.of(0, 1).cumulativeProbability(-Math.sqrt(n / (n - 1.0)) * t);
  }

  private static double ratioOfSums(double[] numerators, double[] denominators, int[] picks) {
    double top = 0;
    double bottom = 0;
    int n = picks == null ? numerators.length : picks.length;
    for (int i = 0; i < n; i++) {
      int k = picks == null ? i : picks[i];
      top += numerators[k];
      bottom += denominators[k];
    }
    return top / bottom;
  }

  /** Whether an interval was computed (at least {@link #MIN_PAIRS} pairs). */
  public boolean hasInterval() {
    return !Double.isNaN(low);
  }

  /** Half the interval's width as a fraction of the estimate; NaN without an interval. */
  public double relativeHalfWidth() {
    return (high - low) / 2 / estimate;
  }

  /** Whether the interval contains {@code value}. */
  public boolean contains(double value) {
    return hasInterval() && low <= value && value <= high;
  }
}
