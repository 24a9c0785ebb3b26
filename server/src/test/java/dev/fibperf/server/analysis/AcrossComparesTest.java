package dev.fibperf.server.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.distribution.ContinuousDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.distribution.TDistribution;
import org.junit.jupiter.api.Test;

/**
 * The interval across Compares against simulated hosts whose Compares each land somewhere of their
 * own (the host's state of the moment) plus their rounds' noise: it must hold the next Compare as
 * often as it says.
 */
class AcrossComparesTest {
  private static final int TRIALS = 4_000;

  /**
   * The share of {@link #TRIALS} in which the interval from {@code k} Compares holds the next
   * Compare's speedup, each Compare's log speedup {@code log(1.8) + host + rounds}.
   */
  private static double coverage(
      int k, ContinuousDistribution host, ContinuousDistribution rounds, long seed) {
    UniformRandomProvider rng = RandomSource.SPLIT_MIX_64.create(seed);
    ContinuousDistribution.Sampler hostSampler = host.createSampler(rng);
    ContinuousDistribution.Sampler roundsSampler = rounds.createSampler(rng);
    int held = 0;
    for (int t = 0; t < TRIALS; t++) {
      List<Double> before = new ArrayList<>();
      for (int i = 0; i < k - 1; i++) {
        before.add(1.8 * Math.exp(hostSampler.sample() + roundsSampler.sample()));
      }
      double current = 1.8 * Math.exp(hostSampler.sample() + roundsSampler.sample());
      double next = 1.8 * Math.exp(hostSampler.sample() + roundsSampler.sample());
      AcrossCompares a = AcrossCompares.of(current, before).orElseThrow();
      assertEquals(k, a.compares());
      assertTrue(a.low() <= a.typical() && a.typical() <= a.high(), a.toString());
      if (a.low() <= next && next <= a.high()) {
        held++;
      }
    }
    return (double) held / TRIALS;
  }

  @Test
  void holdsTheNextCompare_95PercentOfTheTime_whateverTheHostsSpread() {
    // This host's figures: Compares spread by 4 %, rounds' noise within one by 1-3 %.
    for (double hostSpread : new double[] {0.01, 0.04, 0.10}) {
      for (int k : new int[] {4, 6, 10}) {
        double c =
            coverage(
                k,
                NormalDistribution.of(0, hostSpread),
                NormalDistribution.of(0, 0.02),
                31L * k + (long) (hostSpread * 1000));
        assertTrue(c >= 0.93 && c <= 0.97, "k=" + k + " host sd " + hostSpread + ": " + c);
      }
    }
  }

  @Test
  void heavierTails_stillHoldMostNextCompares() {
    // A host whose Compares now and then land far off (Student's t with 3 degrees of freedom).
    // Scaled to a 4 % spread at its quartiles' width.
    ContinuousDistribution host = TDistribution.of(3);
    double c = coverage(10, scaled(host, 0.04), NormalDistribution.of(0, 0.02), 7);
    assertTrue(c >= 0.90, "t(3) host: " + c);
  }

  /** {@code d} times {@code scale}, as a distribution to sample. */
  private static ContinuousDistribution scaled(ContinuousDistribution d, double scale) {
    return new ContinuousDistribution() {
      @Override
      public double density(double x) {
        return d.density(x / scale) / scale;
      }

      @Override
      public double cumulativeProbability(double x) {
        return d.cumulativeProbability(x / scale);
      }

      @Override
      public double inverseCumulativeProbability(double p) {
        return d.inverseCumulativeProbability(p) * scale;
      }

      @Override
      public double getMean() {
        return d.getMean() * scale;
      }

      @Override
      public double getVariance() {
        return d.getVariance() * scale * scale;
      }

      @Override
      public double getSupportLowerBound() {
        return Double.NEGATIVE_INFINITY;
      }

      @Override
      public double getSupportUpperBound() {
        return Double.POSITIVE_INFINITY;
      }

      @Override
      public Sampler createSampler(UniformRandomProvider rng) {
        Sampler s = d.createSampler(rng);
        return () -> s.sample() * scale;
      }
    };
  }

  @Test
  void needsFourCompares_skipsWhatIsNoSpeedup_andUsesTheLastTenAtMost() {
    assertEquals(Optional.empty(), AcrossCompares.of(1.8, List.of(1.7, 1.9)));
    assertEquals(Optional.empty(), AcrossCompares.of(Double.NaN, List.of(1.7, 1.9, 1.8, 1.6)));
    assertEquals(
        Optional.empty(), AcrossCompares.of(1.8, List.of(1.7, Double.NaN, 0.0, -1.0, 1.9)));
    assertEquals(
        4, AcrossCompares.of(1.8, List.of(1.7, Double.NaN, 1.9, 1.6)).orElseThrow().compares());
    List<Double> many = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      many.add(1.5 + i * 0.01);
    }
    assertEquals(10, AcrossCompares.of(1.8, many).orElseThrow().compares());
  }

  @Test
  void theFormula_byHand() {
    // Logs of 1, e and e^2 and e^3: mean 1.5, sd sqrt(5/3); t(0.975, 3) = 3.182446305284263.
    double e = Math.E;
    AcrossCompares a = AcrossCompares.of(1, List.of(e, e * e, e * e * e)).orElseThrow();
    double half = 3.182446305284263 * Math.sqrt(5.0 / 3) * Math.sqrt(1.25);
    assertEquals(Math.exp(1.5), a.typical(), 1e-9);
    assertEquals(Math.exp(1.5 - half), a.low(), 1e-9);
    assertEquals(Math.exp(1.5 + half), a.high(), 1e-9);
    assertEquals(Math.sqrt(5.0 / 3), a.spread(), 1e-12);
  }

  @Test
  void theHeadline_isTheEstimate_orWhenContendedTheCoreWaitRemovedOne() {
    assertEquals(1.8, AcrossCompares.headline(Verdict.CLEAN, 1.8, 1.9));
    assertEquals(1.8, AcrossCompares.headline(Verdict.NOISY, 1.8, Double.NaN));
    assertEquals(1.9, AcrossCompares.headline(Verdict.CONTENDED, 1.2, 1.9));
    assertTrue(Double.isNaN(AcrossCompares.headline(Verdict.CONTENDED, 1.2, Double.NaN)));
    assertTrue(Double.isNaN(AcrossCompares.headline(Verdict.IMPLAUSIBLE, 5, 5)));
  }
}
