package dev.fibperf.server.service;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.NoteKind;
import dev.fibperf.proto.v1.Phase;
import dev.fibperf.proto.v1.RoundResult;
import dev.fibperf.proto.v1.ScalingPoint;
import dev.fibperf.proto.v1.SpeedupEstimate;
import dev.fibperf.proto.v1.StopReason;
import dev.fibperf.proto.v1.Verdict;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.metrics.FibPerfMetrics;
import dev.fibperf.server.testing.FakeKernel;
import dev.fibperf.server.testing.InProcessFixture;
import dev.fibperf.server.testing.ManualClock;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Compare's rounds over a fake kernel and a manual clock: their balanced order, the stopping
 * rules, the estimate's bookkeeping and the limits on what a caller may ask for.
 */
class CompareRoundsTest {
  private static final ServerConfig TWO_WORKERS =
      ServerConfig.newBuilder().workers(2).profilingEnabled(false).build();

  /**
   * One worker where the rounds must be exactly alike: two workers share the manual clock, so one
   * worker's task (or warm-up) can move the clock under the other's.
   */
  private static final ServerConfig ONE_WORKER =
      ServerConfig.newBuilder().workers(1).profilingEnabled(false).build();

  private static InProcessFixture fixture(FakeKernel kernel, ManualClock clock) throws Exception {
    return new InProcessFixture(TWO_WORKERS, parts -> parts.threadKernel(kernel).clock(clock));
  }

  private static InProcessFixture oneWorker(FakeKernel kernel, ManualClock clock) throws Exception {
    return new InProcessFixture(ONE_WORKER, parts -> parts.threadKernel(kernel).clock(clock));
  }

  private static ManualClock clock() {
    return new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));
  }

  @Test
  void sixRounds_runInAbbaOrder_andEveryEventNamesItsRound() throws Exception {
    ManualClock clock = clock();
    try (InProcessFixture fx = oneWorker(FakeKernel.advancing(clock), clock)) {
      List<CompareResponse> events =
          drain(fx.blocking.compare(CompareRequest.newBuilder().setRounds(6).addNums(3).build()));

      List<String> order = new ArrayList<>();
      for (CompareResponse e : events) {
        if (e.hasPhaseSummary()) {
          order.add(e.getRound() + (e.getPhase() == Phase.PHASE_SERIAL ? "S" : "P"));
        }
      }
      assertEquals(
          List.of("1S", "1P", "2P", "2S", "3S", "3P", "4P", "4S", "5S", "5P", "6P", "6S"), order);
      List<RoundResult> streamed =
          events.stream()
              .filter(CompareResponse::hasRoundResult)
              .map(e -> e.getRoundResult())
              .toList();
      assertEquals(
          List.of(1, 2, 3, 4, 5, 6), streamed.stream().map(RoundResult::getRound).toList());
      assertEquals(
          List.of(false, true, false, true, false, true),
          streamed.stream().map(RoundResult::getParallelFirst).toList());

      Comparison c = events.get(events.size() - 1).getComparison();
      assertEquals(6, c.getRoundsCount());
      SpeedupEstimate e = c.getEstimate();
      assertEquals(6, e.getRounds());
      assertEquals(StopReason.STOP_REASON_ROUNDS_DONE, e.getStopReason());
      assertEquals(0.95, e.getConfidence());
      // The ratio of means over the used rounds, from the rounds' own walls.
      double serial = 0;
      double parallel = 0;
      for (RoundResult r : c.getRoundsList()) {
        if (r.getUsed()) {
          serial += Durations.toNanos(r.getSerial().getWallDuration());
          parallel += Durations.toNanos(r.getParallel().getWallDuration());
        }
        assertEquals(0, r.getSerial().getResultsCount(), "tasks were streamed with the round");
      }
      assertEquals(serial / parallel, e.getSpeedup(), 1e-9);
      assertTrue(e.getSpeedupLow() <= e.getSpeedup() && e.getSpeedup() <= e.getSpeedupHigh());
      assertTrue(c.getRepresentativeRound() >= 1 && c.getRepresentativeRound() <= 6);
      assertEquals(Long.toString(c.getRunId()), Long.toString(e.getSeed()), "seeded by run id");
    }
  }

  @Test
  void identicalRounds_meetTheTargetAtTheMinimum_andAreClean() throws Exception {
    ManualClock clock = clock();
    try (InProcessFixture fx = oneWorker(FakeKernel.advancing(clock), clock)) {
      Comparison c =
          last(
              drain(
                  fx.blocking.compare(CompareRequest.newBuilder().addNums(3).addNums(3).build())));

      SpeedupEstimate e = c.getEstimate();
      assertEquals(StopReason.STOP_REASON_TARGET_MET, e.getStopReason());
      // A clean estimate needs 10 clean rounds, and the target met after two rounds in a row.
      assertEquals(11, e.getRounds(), "no more rounds ran than the rule needs: " + c);
      assertEquals(0, e.getRelativeHalfWidth(), 1e-12, "every round the same: no spread");
      assertEquals(Verdict.VERDICT_CLEAN, c.getVerdict());
      assertEquals(NoteKind.NOTE_KIND_READING_ESTIMATE, c.getReading().getKind());
    }
  }

  @Test
  void theBudget_stopsTheRounds_andTooFewForConvergenceIsNoisy() throws Exception {
    ManualClock clock = clock();
    try (InProcessFixture fx = oneWorker(FakeKernel.advancing(clock), clock)) {
      // Each round takes 2 x 10 ms on the manual clock; with 105 ms, a sixth would end at 120 ms.
      Comparison c =
          last(
              drain(
                  fx.blocking.compare(
                      CompareRequest.newBuilder()
                          .addNums(10)
                          .setBudget(Durations.fromMillis(105))
                          .build())));

      SpeedupEstimate e = c.getEstimate();
      assertEquals(StopReason.STOP_REASON_BUDGET_SPENT, e.getStopReason());
      assertEquals(5, e.getRounds(), "enough for an interval, too few for a clean estimate");
      assertEquals(Verdict.VERDICT_NOISY, c.getVerdict());
      assertTrue(
          c.getFindingsList().stream()
              .anyMatch(n -> n.getKind() == NoteKind.NOTE_KIND_ESTIMATE_NOISY),
          c.toString());
    }
  }

  @Test
  void roundsWhoseThreadsWaitedForCores_areLeftOut_andTheEstimateIsContended() throws Exception {
    ManualClock clock = clock();
    FakeKernel starved = FakeKernel.advancing(clock).coreWaitShare(0.2);
    try (InProcessFixture fx = fixture(starved, clock)) {
      Comparison c =
          last(
              drain(
                  fx.blocking.compare(
                      CompareRequest.newBuilder().setRounds(5).addNums(3).addNums(4).build())));

      assertEquals(Verdict.VERDICT_CONTENDED, c.getVerdict());
      SpeedupEstimate e = c.getEstimate();
      assertEquals(0, e.getRoundsUsed());
      assertEquals(5, e.getRoundsExcluded());
      assertEquals("core wait 5", e.getExclusions());
      assertEquals(0, e.getSpeedupHigh(), "no interval from no clean round");
      var contended =
          c.getFindingsList().stream()
              .filter(n -> n.getKind() == NoteKind.NOTE_KIND_ESTIMATE_CONTENDED)
              .findFirst()
              .orElseThrow();
      assertTrue(contended.getText().contains("could not give 2 free cores"), contended.getText());
      for (RoundResult r : c.getRoundsList()) {
        assertFalse(r.getUsed());
        assertEquals(NoteKind.NOTE_KIND_CONTENDED_CORES, r.getExclusion().getKind());
      }
    }
  }

  @Test
  void oneRound_isOneSample_andSaysSo() throws Exception {
    ManualClock clock = clock();
    try (InProcessFixture fx = oneWorker(FakeKernel.advancing(clock), clock)) {
      Comparison c =
          last(
              drain(
                  fx.blocking.compare(
                      CompareRequest.newBuilder().setRounds(1).addNums(3).build())));
      assertEquals(NoteKind.NOTE_KIND_ONE_SAMPLE, c.getFindings(0).getKind(), c.toString());
      assertEquals(0, c.getEstimate().getSpeedupHigh(), "one sample has no interval");
      assertEquals(c.getSpeedup(), c.getEstimate().getSpeedup(), 1e-12);
    }
  }

  @Test
  void prometheus_recordsOnlyCleanConvergedEstimates_andCountsEveryVerdict() throws Exception {
    ManualClock clock = clock();
    FakeKernel kernel = FakeKernel.advancing(clock);
    try (InProcessFixture fx = oneWorker(kernel, clock)) {
      drain(fx.blocking.compare(CompareRequest.newBuilder().addNums(3).build()));
      kernel.coreWaitShare(0.2);
      drain(fx.blocking.compare(CompareRequest.newBuilder().setRounds(3).addNums(3).build()));

      MeterRegistry registry = fx.server.metrics().registry();
      DistributionSummary speedup = registry.get(FibPerfMetrics.COMPARE_SPEEDUP).summary();
      assertEquals(1, speedup.count(), "the contended Compare's figure is not recorded");
      assertEquals(1.0, speedup.totalAmount(), 1e-9, "one task: 3 ms serial over 3 ms parallel");
      assertEquals(
          1,
          registry.get(FibPerfMetrics.COMPARE_VERDICTS).tag("verdict", "CLEAN").counter().count());
      assertEquals(
          1,
          registry
              .get(FibPerfMetrics.COMPARE_VERDICTS)
              .tag("verdict", "CONTENDED")
              .counter()
              .count());
    }
  }

  @Test
  void aSweep_runsEveryWidthEachRound_andGivesEachPointItsKarpFlattFraction() throws Exception {
    try (InProcessFixture fx = new InProcessFixture(TWO_WORKERS)) {
      List<CompareResponse> events =
          drain(
              fx.blocking.compare(
                  CompareRequest.newBuilder()
                      .addAllNums(List.of(24, 25, 24, 25))
                      .setRounds(3)
                      .setSweep(true)
                      .build()));

      // Each round: its serial phase, the full width, then the narrower widths (ascending in odd
      // rounds, descending in even ones).
      List<String> phases = new ArrayList<>();
      for (CompareResponse e : events) {
        if (e.hasPhaseSummary()) {
          phases.add(e.getRound() + ":" + e.getPhaseSummary().getParallelism());
        }
      }
      assertEquals(List.of("1:1", "1:2", "1:1", "2:2", "2:1", "2:1", "3:1", "3:2", "3:1"), phases);
      Comparison c = events.get(events.size() - 1).getComparison();
      assertEquals(2, c.getScalingCount());
      for (ScalingPoint p : c.getScalingList()) {
        if (p.getRoundsUsed() == 0) {
          continue; // tiny tasks on a busy machine: no clean round at this width
        }
        assertEquals(p.getSpeedup() / p.getWorkers(), p.getEfficiency(), 1e-9);
        double karpFlatt =
            p.getWorkers() == 1
                ? 0
                : (1 / p.getSpeedup() - 1.0 / p.getWorkers()) / (1 - 1.0 / p.getWorkers());
        assertEquals(karpFlatt, p.getSerialFraction(), 1e-9);
      }
      assertEquals(
          List.of(1, 2), c.getScalingList().stream().map(ScalingPoint::getWorkers).toList());
      if (c.getScaling(1).getRoundsUsed() > 0) {
        assertEquals(c.getEstimate().getSpeedup(), c.getScaling(1).getSpeedup(), 1e-9);
      }
    }
  }

  @Test
  void whatACallerMayAskFor_isBounded_withTheFieldTheValueAndTheLimit() throws Exception {
    ManualClock clock = clock();
    try (InProcessFixture fx = fixture(FakeKernel.advancing(clock), clock)) {
      assertInvalid(
          fx, CompareRequest.newBuilder().setRounds(101), "rounds=101 exceeds max rounds 100");
      assertInvalid(
          fx,
          CompareRequest.newBuilder().setBudget(Durations.fromSeconds(601)),
          "budget=601.000s is outside 0s..600s");
      assertInvalid(
          fx,
          CompareRequest.newBuilder().setTargetPrecision(0.7),
          "target_precision=0.7 is outside 0..0.5 (0 means 0.03)");
    }
  }

  @Test
  void roundsBeyondTheWorkLimit_areRefused_beforeAnyRuns() throws Exception {
    ManualClock clock = clock();
    ServerConfig tight =
        ServerConfig.newBuilder()
            .workers(2)
            .profilingEnabled(false)
            .maxNaiveCalls(1_000_000_000L)
            .build();
    try (InProcessFixture fx =
        new InProcessFixture(
            tight, parts -> parts.threadKernel(FakeKernel.advancing(clock)).clock(clock))) {
      // fib(35) naively is about 3.0e7 calls; a round runs it twice, so 16 rounds fit 1e9.
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  drain(
                      fx.blocking.compare(
                          CompareRequest.newBuilder().addNums(35).setRounds(40).build())));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      assertTrue(
          e.getStatus().getDescription().startsWith("rounds=40: nums need"),
          e.getStatus().getDescription());
      assertTrue(
          e.getStatus().getDescription().contains("at most 16 rounds fit max 1.00e+09 per request"),
          e.getStatus().getDescription());
    }
  }

  private static void assertInvalid(
      InProcessFixture fx, CompareRequest.Builder request, String message) {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> drain(fx.blocking.compare(request.addNums(3).build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals(message, e.getStatus().getDescription());
  }

  @Test
  void fromTheFourthCompareOfAWorkloadAndLabel_theEstimateSaysWhereComparesLand() throws Exception {
    ManualClock clock = clock();
    try (InProcessFixture fx = oneWorker(FakeKernel.advancing(clock), clock)) {
      List<Integer> compares = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        SpeedupEstimate e = compare(fx, "a", 3, 3).getEstimate();
        assertEquals(Verdict.VERDICT_CLEAN, compare(fx, "other-label", 3, 3).getVerdict());
        compares.add(e.hasAcrossCompares() ? e.getAcrossCompares().getCompares() : 0);
        if (e.hasAcrossCompares()) {
          // Identical rounds, identical Compares: no spread, an interval of one point.
          dev.fibperf.proto.v1.AcrossCompares a = e.getAcrossCompares();
          assertEquals(0, a.getSpread(), 1e-12);
          assertEquals(e.getSpeedup(), a.getTypical(), 1e-9);
          assertEquals(a.getTypical(), a.getLow(), 1e-9);
          assertEquals(a.getTypical(), a.getHigh(), 1e-9);
        }
      }
      // Not before four of label "a" (the other label's five do not count), then one more each.
      assertEquals(List.of(0, 0, 0, 4, 5), compares);
      // Another workload under the same label starts from nothing.
      assertFalse(compare(fx, "a", 3, 3, 3).getEstimate().hasAcrossCompares());
    }
  }

  private static Comparison compare(InProcessFixture fx, String label, int... nums) {
    CompareRequest.Builder r = CompareRequest.newBuilder().setLabel(label);
    for (int n : nums) {
      r.addNums(n);
    }
    return last(drain(fx.blocking.compare(r.build())));
  }

  private static Comparison last(List<CompareResponse> events) {
    return events.get(events.size() - 1).getComparison();
  }
}
