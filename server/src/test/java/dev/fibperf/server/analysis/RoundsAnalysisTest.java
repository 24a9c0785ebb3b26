package dev.fibperf.server.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.testing.RoundSimulator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which rounds the estimate keeps, and how it names the ones it leaves out. */
class RoundsAnalysisTest {
  private static RoundsAnalysis.Round round(int number, double serialNanos, double parallelNanos) {
    RunResult serial = RoundSimulator.phase(serialNanos, 1, 0);
    RunResult parallel = RoundSimulator.phase(parallelNanos, 2, 0);
    return new RoundsAnalysis.Round(
        number,
        RoundsAnalysis.parallelFirst(number),
        serial,
        parallel,
        SpeedupAnalysis.of(serial, parallel, ScheduleKind.MEASURED_OPTIMAL));
  }

  @Test
  void unsteadyRounds_areUsed_onlyWhenTheParallelPhaseCostMoreCpu() {
    // Four equal tasks: parallel tasks of 30 ms against serial ones of 25 ms cost 20 % more CPU
    // (cores that share hardware); serial ones of 32.5 ms against 27.5 ms, 18 % more in the serial
    // phase (something slowed the baseline).
    RoundsAnalysis.Round parallelCostMore = round(1, 100e6, 60e6);
    RoundsAnalysis.Round serialCostMore = round(2, 130e6, 55e6);
    assertEquals(Verdict.UNSTEADY, parallelCostMore.analysis().verdict());
    assertEquals(Verdict.UNSTEADY, serialCostMore.analysis().verdict());

    assertTrue(parallelCostMore.used());
    assertFalse(serialCostMore.used());
    assertEquals(
        "serial phase slowed 1", RoundsAnalysis.causes(List.of(parallelCostMore, serialCostMore)));
  }

  @Test
  void theRepresentativeRound_isTheCleanOneWithTheMedianSpeedup() {
    List<RoundsAnalysis.Round> rounds =
        List.of(round(1, 100e6, 52e6), round(2, 100e6, 55e6), round(3, 100e6, 54e6));
    RoundsAnalysis a =
        RoundsAnalysis.of(
            rounds, RoundPolicy.defaults(1).seededBy(1), RoundPolicy.StopReason.ROUNDS_DONE);
    assertEquals(2, a.representative(), "54 ms: the median of 52, 54 and 55");
    assertEquals(300e6 / 161e6, a.speedup().estimate(), 1e-9, "the ratio of the sums");
  }

  @Test
  void aCoreWaitRemovedFigureAboveWhatTheWorkersAllow_isNotReported() {
    // Waits nearly the whole parallel phase: taking them out leaves a 5 ms phase against 100 ms.
    List<RoundsAnalysis.Round> rounds = new java.util.ArrayList<>();
    for (int number = 1; number <= 6; number++) {
      RunResult serial = RoundSimulator.phase(100e6, 1, 0);
      RunResult parallel = RoundSimulator.phase(55e6, 2, 100e6);
      rounds.add(
          new RoundsAnalysis.Round(
              number,
              RoundsAnalysis.parallelFirst(number),
              serial,
              parallel,
              SpeedupAnalysis.of(serial, parallel, ScheduleKind.MEASURED_OPTIMAL)));
    }
    RoundsAnalysis a =
        RoundsAnalysis.of(
            rounds,
            new RoundPolicy(6, java.time.Duration.ofSeconds(3), 0.03, 1, RoundPolicy.MAX_ROUNDS),
            RoundPolicy.StopReason.ROUNDS_DONE);

    assertEquals(Verdict.CONTENDED, a.verdict());
    assertEquals(null, a.coreWaitRemoved());
    assertFalse(a.notes().stream().anyMatch(n -> n.kind() == NoteKind.ESTIMATE_CORE_WAIT_REMOVED));
  }
}
