package dev.fibperf.server.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.testing.RoundSimulator;
import dev.fibperf.server.testing.RoundSimulator.Noise;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The interval's promise, checked by simulation: over a thousand seeded Compares with a known true
 * speedup and noise of several shapes, the 95 % interval of those called clean covers the truth at
 * least 93 % of the time, and a round whose parallel phase a hog held a core in is never used.
 */
class RoundsCoverageTest {
  private static final int COMPARES = 1_000;

  /** The defaults, with a budget a simulated Compare of about 155 ms per round can use. */
  private static RoundPolicy policy(long seed) {
    return new RoundPolicy(
        0,
        Duration.ofSeconds(5),
        RoundPolicy.DEFAULT_TARGET_PRECISION,
        seed,
        RoundPolicy.MAX_ROUNDS);
  }

  @ParameterizedTest
  @EnumSource(value = Noise.class, names = "BUSY_MACHINE", mode = EnumSource.Mode.EXCLUDE)
  void cleanIntervals_coverTheTruth_atLeast93PercentOfTheTime(Noise noise) {
    int clean = 0;
    int covered = 0;
    int hoggedRoundsUsed = 0;
    for (int i = 0; i < COMPARES; i++) {
      RoundSimulator.Outcome o =
          new RoundSimulator(noise, 1_000L * noise.ordinal() + i).compare(policy(i + 1));
      hoggedRoundsUsed += o.hoggedRoundsUsed();
      if (o.analysis().verdict() == Verdict.CLEAN) {
        clean++;
        if (o.analysis().speedup().contains(o.truth())) {
          covered++;
        }
      }
    }
    assertTrue(clean >= COMPARES / 2, noise + ": only " + clean + " of " + COMPARES + " clean");
    double coverage = (double) covered / clean;
    assertTrue(
        coverage >= 0.93,
        String.format(
            "%s: %d of %d clean intervals cover the truth (%.3f)",
            noise, covered, clean, coverage));
    assertEquals(0, hoggedRoundsUsed, "a round a hog held a core in is never clean");
  }

  /**
   * On a machine never free, no Compare is clean, and the interval with the measured core wait
   * taken out covers the undisturbed truth as often as a clean one does.
   */
  @Test
  void onABusyMachine_theIntervalWithCoreWaitRemoved_coversTheUndisturbedTruth() {
    int covered = 0;
    for (int i = 0; i < COMPARES; i++) {
      RoundSimulator.Outcome o =
          new RoundSimulator(Noise.BUSY_MACHINE, 7_000L + i).compare(policy(i + 1));
      RoundsAnalysis a = o.analysis();
      assertEquals(Verdict.CONTENDED, a.verdict(), "compare " + i);
      assertEquals(0, o.hoggedRoundsUsed(), "compare " + i);
      assertTrue(a.coreWaitRemoved().hasInterval(), "compare " + i);
      assertTrue(
          a.notes().stream().anyMatch(n -> n.kind() == NoteKind.ESTIMATE_CORE_WAIT_REMOVED),
          "compare " + i);
      if (a.coreWaitRemoved().contains(o.truth())) {
        covered++;
      }
    }
    double coverage = (double) covered / COMPARES;
    assertTrue(
        coverage >= 0.93,
        String.format("%d of %d intervals cover the truth (%.3f)", covered, COMPARES, coverage));
  }

  @Test
  void aCleanCompare_hasNoCoreWaitRemovedEstimate() {
    RoundsAnalysis a = new RoundSimulator(Noise.JITTER, 7).compare(policy(42)).analysis();
    assertEquals(Verdict.CLEAN, a.verdict());
    assertEquals(null, a.coreWaitRemoved());
  }

  @Test
  void theSameRoundsAndSeed_giveTheSameInterval() {
    RoundsAnalysis a = new RoundSimulator(Noise.JITTER, 7).compare(policy(42)).analysis();
    RoundsAnalysis b = new RoundSimulator(Noise.JITTER, 7).compare(policy(42)).analysis();
    assertEquals(a.speedup(), b.speedup());
    assertEquals(a.attainment(), b.attainment());
  }
}
