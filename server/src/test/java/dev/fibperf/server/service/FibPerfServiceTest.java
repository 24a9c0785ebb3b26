package dev.fibperf.server.service;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import dev.fibperf.proto.v1.Algorithm;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.Isolation;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.Phase;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.proto.v1.Schedule;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.proto.v1.TaskFinished;
import dev.fibperf.proto.v1.Verdict;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.InProcessFixture;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FibPerfServiceTest {
  private InProcessFixture fx;

  @BeforeEach
  void start() throws Exception {
    fx = new InProcessFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  @Test
  void serial_defaultNums_streamsEachTaskThenOneSummaryInInputOrder() {
    List<SerialResponse> events = drain(fx.blocking.serial(SerialRequest.getDefaultInstance()));

    assertEquals(9, events.size(), "4 started + 4 finished + summary");
    for (int i = 0; i < 4; i++) {
      assertTrue(events.get(2 * i).hasTaskStarted(), "event " + (2 * i));
      assertEquals(i, events.get(2 * i).getTaskStarted().getIndex(), "serial keeps input order");
      assertTrue(events.get(2 * i + 1).hasTaskFinished());
    }
    RunSummary summary = events.get(8).getSummary();
    assertEquals(
        List.of("5702887", "9227465", "14930352", "9227465"),
        summary.getResultsList().stream().map(TaskFinished::getValue).toList());
    assertEquals(
        List.of(34, 35, 36, 35), summary.getResultsList().stream().map(r -> r.getN()).toList());
    assertEquals(1, summary.getParallelism());
    assertEquals(1, summary.getWorkersUsed(), "serial stays on one worker");
    assertTrue(summary.getPoolCold(), "first call creates the pool");
    assertEquals(Algorithm.ALGORITHM_NAIVE, summary.getAlgorithm());
    assertTrue(
        summary.getWallDuration().getNanos() > 0 || summary.getWallDuration().getSeconds() > 0);
    assertTrue(
        summary.getResults(0).getWorker().startsWith("fibperf-worker-"),
        summary.getResults(0).getWorker());

    RunSummary second =
        last(drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(20).build())))
            .getSummary();
    assertFalse(second.getPoolCold(), "later calls reuse the pool");
  }

  @Test
  void parallel_startsLargestFirst_onAllWorkers() {
    List<ParallelResponse> events =
        drain(
            fx.blocking.parallel(
                ParallelRequest.newBuilder().addAllNums(List.of(30, 32, 31, 33)).build()));

    List<Integer> startOrder =
        events.stream()
            .filter(ParallelResponse::hasTaskStarted)
            .map(e -> e.getTaskStarted().getN())
            .toList();
    assertEquals(
        java.util.Set.of(33, 32), java.util.Set.copyOf(startOrder.subList(0, 2)), "largest first");
    RunSummary summary = last(events).getSummary();
    assertEquals(2, summary.getParallelism());
    assertEquals(2, summary.getWorkersUsed());
    assertEquals("832040", summary.getResults(0).getValue());
    assertEquals(9, events.size());
  }

  @Test
  void algorithms_fastDoublingAndIterative_returnExactValuesBeyond64Bits() {
    for (Algorithm algorithm :
        List.of(Algorithm.ALGORITHM_ITERATIVE, Algorithm.ALGORITHM_FAST_DOUBLING)) {
      RunSummary summary =
          last(drain(
                  fx.blocking.parallel(
                      ParallelRequest.newBuilder()
                          .addAllNums(List.of(93, 100))
                          .setAlgorithm(algorithm)
                          .build())))
              .getSummary();
      assertEquals("12200160415121876738", summary.getResults(0).getValue(), algorithm.name());
      assertEquals("354224848179261915075", summary.getResults(1).getValue(), algorithm.name());
    }
  }

  @Test
  void compare_streamsSerialPhaseThenParallelPhaseThenComparison() {
    List<CompareResponse> events =
        drain(
            fx.blocking.compare(
                CompareRequest.newBuilder()
                    .setRounds(1)
                    .addAllNums(List.of(32, 33, 31, 32))
                    .build()));

    int lastSerial = -1;
    int firstParallel = Integer.MAX_VALUE;
    // The round's result and the comparison end the stream.
    assertTrue(events.get(events.size() - 2).hasRoundResult());
    for (int i = 0; i < events.size() - 2; i++) {
      Phase phase = events.get(i).getPhase();
      if (phase == Phase.PHASE_SERIAL) {
        lastSerial = i;
      } else {
        assertEquals(Phase.PHASE_PARALLEL, phase, "event " + i);
        firstParallel = Math.min(firstParallel, i);
      }
    }
    assertTrue(lastSerial < firstParallel, "serial phase completes before the parallel phase");
    assertTrue(events.get(lastSerial).hasPhaseSummary());
    assertTrue(events.get(events.size() - 3).hasPhaseSummary());
    Comparison c = last(events).getComparison();
    assertEquals(
        c.getSerial().getResultsList(), events.get(lastSerial).getPhaseSummary().getResultsList());
    assertEquals(1, c.getSerial().getParallelism());
    assertEquals(2, c.getParallel().getParallelism());
    double serialWall = seconds(c.getSerial().getWallDuration());
    double parallelWall = seconds(c.getParallel().getWallDuration());
    assertEquals(serialWall / parallelWall, c.getSpeedup(), 1e-9);
    assertEquals(c.getSpeedup() / 2, c.getEfficiency(), 1e-9);
    assertTrue(seconds(c.getLowerBound()) <= seconds(c.getOptimalMakespan()), c.toString());
    assertTrue(
        seconds(c.getOptimalMakespan()) <= seconds(c.getLargestFirstMakespan()), c.toString());
    assertTrue(c.getIdealSpeedup() <= 2.0 + 1e-9, "never above the workers: " + c);
    assertEquals(seconds(c.getOptimalMakespan()) / parallelWall, c.getAttainment(), 1e-6);
    for (RunSummary phase : List.of(c.getSerial(), c.getParallel())) {
      assertEquals(
          Timestamps.between(phase.getStartTime(), phase.getEndTime()),
          phase.getWallDuration(),
          "one clock: end - start = wall");
    }
    assertEquals(Isolation.ISOLATION_EXCLUSIVE, c.getIsolation());
    assertEquals(Schedule.SCHEDULE_MEASURED_OPTIMAL, c.getSchedule());
    assertTrue(c.getVerdict() != Verdict.VERDICT_UNSPECIFIED, c.toString());
    // No "speedup > 1": with the cores busy it need not be (BENCHMARKS measures it).
  }

  @Test
  void invalidInput_getsInvalidArgumentNamingFieldValueAndLimit() {
    assertStatus(
        Status.Code.INVALID_ARGUMENT,
        "nums[2]=91 exceeds max n 50 for algorithm ALGORITHM_NAIVE (--max-n-naive)",
        () ->
            drain(
                fx.blocking.serial(
                    SerialRequest.newBuilder().addAllNums(List.of(1, 2, 91)).build())));
    assertStatus(
        Status.Code.INVALID_ARGUMENT,
        "nums[0]=4294967295 exceeds max n 10000 for algorithm ALGORITHM_ITERATIVE"
            + " (--max-n-iterative)",
        () ->
            drain(
                fx.blocking.serial(
                    SerialRequest.newBuilder()
                        .addNums(-1)
                        .setAlgorithm(Algorithm.ALGORITHM_ITERATIVE)
                        .build())));
    assertStatus(
        Status.Code.INVALID_ARGUMENT,
        "parallelism=3 exceeds the pool's 2 workers (--workers)",
        () -> drain(fx.blocking.parallel(ParallelRequest.newBuilder().setParallelism(3).build())));
    assertStatus(
        Status.Code.INVALID_ARGUMENT,
        "algorithm=9 is not one of ALGORITHM_NAIVE, ALGORITHM_ITERATIVE, ALGORITHM_FAST_DOUBLING",
        () -> drain(fx.blocking.serial(SerialRequest.newBuilder().setAlgorithmValue(9).build())));
    assertStatus(
        Status.Code.INVALID_ARGUMENT,
        "nums has 1001 entries, exceeds max tasks 1000 (--max-tasks)",
        () ->
            drain(
                fx.blocking.serial(
                    SerialRequest.newBuilder()
                        .addAllNums(java.util.Collections.nCopies(1001, 1))
                        .build())));
    assertStatus(
        Status.Code.INVALID_ARGUMENT,
        "nums need 8.15e+10 naive-recursion calls (2 runs), exceeds max 5.00e+10 per request"
            + " (--max-naive-calls); use smaller n or fewer tasks",
        () ->
            drain(
                fx.blocking.compare(CompareRequest.newBuilder().setRounds(1).addNums(50).build())));
    assertEquals(0, fx.server.service().activeRuns(), "rejected calls hold no permit");
  }

  @Test
  void clientCancel_stopsRunningTasksAndFreesTheWorkers() throws Exception {
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<ParallelResponse> stream =
        context.call(
            () ->
                fx.blocking.parallel(ParallelRequest.newBuilder().addNums(47).addNums(47).build()));
    assertTrue(stream.next().hasTaskStarted());

    context.cancel(null);
    fx.awaitIdle(Duration.ofSeconds(10)); // fib(47) takes seconds: the tasks stopped at a check

    // Both workers take new work again: two tasks run side by side.
    RunSummary next =
        last(drain(
                fx.blocking.parallel(ParallelRequest.newBuilder().addNums(36).addNums(36).build())))
            .getSummary();
    assertEquals(2, next.getWorkersUsed());
  }

  @Test
  void deadline_stopsTheRunAndReportsDeadlineExceeded() throws Exception {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                drain(
                    fx.blocking
                        .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                        .serial(SerialRequest.newBuilder().addNums(50).build())));
    fx.awaitIdle(Duration.ofSeconds(10)); // fib(50) takes most of a minute: the deadline stopped it

    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
  }

  @Test
  void concurrentRunsOverTheLimit_getResourceExhausted() throws Exception {
    try (InProcessFixture small =
        new InProcessFixture(
            ServerConfig.newBuilder()
                .workers(1)
                .profilingEnabled(false)
                .maxConcurrentRuns(1)
                .build())) {
      Context.CancellableContext context = Context.current().withCancellation();
      Iterator<SerialResponse> busy =
          context.call(() -> small.blocking.serial(SerialRequest.newBuilder().addNums(50).build()));
      assertTrue(busy.next().hasTaskStarted());

      List<java.util.logging.LogRecord> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.logging.Handler capture =
          new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
              lines.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
          };
      java.util.logging.Logger log =
          java.util.logging.Logger.getLogger(FibPerfService.class.getName());
      log.addHandler(capture);
      try {
        for (int i = 0; i < 50; i++) {
          assertStatus(
              Status.Code.RESOURCE_EXHAUSTED,
              "concurrent runs at max 1 (--max-concurrent-runs); retry when a run finishes",
              () -> drain(small.blocking.serial(SerialRequest.getDefaultInstance())));
        }
        // Even a request that is also invalid: at capacity, the cheap answer comes first.
        assertStatus(
            Status.Code.RESOURCE_EXHAUSTED,
            "concurrent runs at max 1 (--max-concurrent-runs); retry when a run finishes",
            () -> drain(small.blocking.serial(SerialRequest.newBuilder().addNums(99).build())));
      } finally {
        log.removeHandler(capture);
      }
      // A flood of refusals is one log line per 10 s, with its count, not one line per call.
      assertTrue(
          lines.stream().filter(r -> r.getMessage().contains("RESOURCE_EXHAUSTED")).count() <= 1,
          lines.stream().map(java.util.logging.LogRecord::getMessage).toList().toString());

      context.cancel(null);
      small.awaitIdle(Duration.ofSeconds(10));
      assertEquals(
          4,
          last(drain(small.blocking.serial(SerialRequest.getDefaultInstance())))
              .getSummary()
              .getResultsCount(),
          "the permit came back");
    }
  }

  static <T> T last(List<T> events) {
    return events.get(events.size() - 1);
  }

  static double seconds(com.google.protobuf.Duration d) {
    return d.getSeconds() + d.getNanos() / 1e9;
  }

  static void assertStatus(Status.Code code, String message, Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertEquals(message, e.getStatus().getDescription());
  }

  static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }
}
