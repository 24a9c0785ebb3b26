package dev.fibperf.server.service;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.Phase;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.exec.TaskKernel;
import dev.fibperf.server.testing.FakeKernel;
import dev.fibperf.server.testing.InProcessFixture;
import dev.fibperf.server.testing.ManualClock;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gRPC layer over a fake kernel and a manual clock: mapping and statuses, no Fibonacci. */
class ServicePlumbingTest {
  private static final ServerConfig TWO_WORKERS =
      ServerConfig.newBuilder().workers(2).profilingEnabled(false).build();

  @Test
  void serial_streamsEachTaskThenASummaryWithExactFigures() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));
    try (InProcessFixture fx =
        new InProcessFixture(
            TWO_WORKERS, parts -> parts.threadKernel(FakeKernel.advancing(clock)).clock(clock))) {
      List<SerialResponse> events =
          drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(7).addNums(9).build()));

      assertEquals(5, events.size(), "started, finished, started, finished, summary");
      assertEquals("9", events.get(3).getTaskFinished().getValue(), "the fake kernel's value");
      var summary = events.get(4).getSummary();
      assertEquals(Durations.fromMillis(16), summary.getWallDuration());
      assertEquals(Durations.fromMillis(16), summary.getTaskTime());
      assertEquals(
          Durations.fromMillis(16),
          Timestamps.between(summary.getStartTime(), summary.getEndTime()),
          "one clock: end - start = wall");
    }
  }

  @Test
  void compare_labelsEveryEventWithItsPhase_andEndsWithTheComparison() throws Exception {
    try (InProcessFixture fx =
        new InProcessFixture(TWO_WORKERS, parts -> parts.threadKernel(FakeKernel.instant()))) {
      List<CompareResponse> events =
          drain(
              fx.blocking.compare(
                  CompareRequest.newBuilder().setRounds(1).addNums(3).addNums(4).build()));

      // 2 tasks x (started + finished) + a phase summary, per phase; the round's result; then
      // the comparison.
      assertEquals(12, events.size());
      assertTrue(events.subList(0, 5).stream().allMatch(e -> e.getPhase() == Phase.PHASE_SERIAL));
      assertTrue(
          events.subList(5, 10).stream().allMatch(e -> e.getPhase() == Phase.PHASE_PARALLEL));
      assertTrue(events.subList(0, 11).stream().allMatch(e -> e.getRound() == 1));
      assertTrue(events.get(4).hasPhaseSummary());
      assertTrue(events.get(10).hasRoundResult());
      assertTrue(events.get(11).hasComparison());
      assertEquals(0, events.get(11).getRound());
    }
  }

  @Test
  void aBugOfOurs_isInternal_neverInvalidArgument() throws Exception {
    TaskKernel broken =
        (algorithm, task, token, context) -> {
          throw new IllegalArgumentException("index out of range (a bug, not the caller's)");
        };
    try (InProcessFixture fx =
        new InProcessFixture(TWO_WORKERS, parts -> parts.threadKernel(broken))) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(5).build())));

      assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("a bug"), e.getStatus().toString());
      fx.awaitIdle(Duration.ofSeconds(10));
    }
  }
}
