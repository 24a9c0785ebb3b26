package dev.fibperf.server.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

/**
 * Change detection checked by simulation against a known truth: rounds drawn with 4 % lognormal
 * noise around set means, so the true ratio of two runs is known.
 */
class ChangeTest {
  private static final int TRIALS = 500;

  private static double[] rounds(UniformRandomProvider random, int n, double mean) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = mean * Math.exp(0.04 * gaussian(random));
    }
    return x;
  }

  private static double gaussian(UniformRandomProvider random) {
    // Box-Muller
    return Math.sqrt(-2 * Math.log(1 - random.nextDouble()))
        * Math.cos(2 * Math.PI * random.nextDouble());
  }

  private static double[] ones(int n) {
    double[] x = new double[n];
    Arrays.fill(x, 1);
    return x;
  }

  @Test
  void tenPercentFaster_isCalledFaster_andTheIntervalCoversTheTruth() {
    UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(1L);
    int faster = 0;
    int covered = 0;
    double truth = 90.0 / 100.0;
    for (int t = 0; t < TRIALS; t++) {
      Change c =
          Change.ofRounds(
              rounds(random, 10, 90),
              ones(10),
              rounds(random, 10, 100),
              ones(10),
              Change.Figure.COST,
              t);
      faster += c.verdict() == Change.Verdict.FASTER ? 1 : 0;
      covered += c.low() <= truth && truth <= c.high() ? 1 : 0;
    }
    assertTrue(faster >= TRIALS * 0.95, faster + " of " + TRIALS + " called faster");
    assertTrue(covered >= TRIALS * 0.90, covered + " of " + TRIALS + " intervals cover the truth");
  }

  @Test
  void noChange_isRarelyCalledAChange() {
    UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(2L);
    int called = 0;
    for (int t = 0; t < TRIALS; t++) {
      Change c =
          Change.ofRounds(
              rounds(random, 8, 100),
              rounds(random, 8, 55),
              rounds(random, 8, 100),
              rounds(random, 8, 55),
              Change.Figure.SPEEDUP,
              t);
      called += c.verdict() == Change.Verdict.NO_DETECTABLE_CHANGE ? 0 : 1;
    }
    // A change is called only beyond the 2 % threshold: far rarer than the 5 % an interval alone
    // would miss by.
    assertTrue(
        called <= TRIALS * 0.05, called + " of " + TRIALS + " identical pairs called a change");
  }

  @Test
  void aSpeedupThatRose_isHigher_andOneThatFell_isLower() {
    UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(3L);
    Change up =
        Change.ofRounds(
            rounds(random, 10, 100),
            rounds(random, 10, 50),
            rounds(random, 10, 100),
            rounds(random, 10, 70),
            Change.Figure.SPEEDUP,
            1);
    assertEquals(Change.Verdict.HIGHER, up.verdict(), up.toString());
    Change down =
        Change.ofRounds(
            rounds(random, 10, 100),
            rounds(random, 10, 70),
            rounds(random, 10, 100),
            rounds(random, 10, 50),
            Change.Figure.SPEEDUP,
            1);
    assertEquals(Change.Verdict.LOWER, down.verdict(), down.toString());
  }

  @Test
  void fewerThanFiveSamplesASide_haveNoIntervalAndNoVerdict() {
    Change c =
        Change.ofRounds(
            new double[] {1, 2, 3, 4},
            ones(4),
            new double[] {1, 2, 3, 4, 5},
            ones(5),
            Change.Figure.COST,
            1);
    assertEquals(Change.Verdict.TOO_FEW_SAMPLES, c.verdict());
    assertTrue(!c.hasInterval());
    assertEquals((10 / 4.0) / (15 / 5.0), c.ratio(), 1e-12);
  }

  @Test
  void pairedTasks_giveTheRatioOfTheirSums() {
    Change c =
        Change.ofPairs(
            new double[] {9, 18, 27, 36, 45},
            new double[] {10, 20, 30, 40, 50},
            Change.Figure.COST,
            1);
    assertEquals(0.9, c.ratio(), 1e-12);
    assertEquals(Change.Verdict.FASTER, c.verdict(), c.toString());
  }
}
