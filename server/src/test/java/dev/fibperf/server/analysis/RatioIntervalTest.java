package dev.fibperf.server.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

/**
 * What a printed interval must always be, whatever the rounds: positive at both ends, around its
 * own estimate, and the same for the same pairs and seed.
 */
class RatioIntervalTest {
  /**
   * The six rounds' free walls (ms) of the Compare beside busy loops whose raw-scale interval ran
   * below zero (CI, stop 34): one round's parallel phase was starved far worse than the rest.
   */
  @Test
  void aStarvedRoundAmongSix_stillGivesAPositiveInterval() {
    double[] serial = {140, 131, 152, 129, 138, 135};
    double[] parallel = {71, 68, 330, 70, 74, 69};
    RatioInterval r = RatioInterval.of(serial, parallel, 0.95, 7);
    assertTrue(r.low() > 0, r.toString());
    assertTrue(r.low() <= r.estimate() && r.estimate() <= r.high(), r.toString());
  }

  /** Random pairs of several shapes, heavy tails included. */
  @Test
  void randomPairs_alwaysGiveAPositiveIntervalAroundTheEstimate() {
    UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(2026L);
    for (int trial = 0; trial < 2_000; trial++) {
      int n = RatioInterval.MIN_PAIRS + random.nextInt(20);
      double[] top = new double[n];
      double[] bottom = new double[n];
      for (int i = 0; i < n; i++) {
        top[i] = 100 * (1 + 0.1 * random.nextDouble());
        // One in five a straggler up to twenty times slower: a starved phase.
        double tail = random.nextInt(5) == 0 ? 1 + 19 * random.nextDouble() : 1;
        bottom[i] = 50 * (1 + 0.1 * random.nextDouble()) * tail;
      }
      RatioInterval r = RatioInterval.of(top, bottom, 0.95, trial);
      String pairs = Arrays.toString(top) + " / " + Arrays.toString(bottom) + ": " + r;
      assertTrue(r.hasInterval(), pairs);
      assertTrue(r.low() > 0, pairs);
      assertTrue(r.low() <= r.estimate() && r.estimate() <= r.high(), pairs);
      assertEquals(r, RatioInterval.of(top, bottom, 0.95, trial), pairs);
    }
  }
}
