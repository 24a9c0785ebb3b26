package dev.fibperf.client;

import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SDK against a real fibperf server on an in-process transport. */
class FibPerfClientTest {
  private FibServer server;
  private ManagedChannel channel;
  private FibPerfClient client;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        new FibServer(
                InProcessServerBuilder.forName(name),
                ServerConfig.newBuilder().workers(2).maxConcurrentRuns(4).build())
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    client = FibPerfClient.create(channel, FibPerfSettings.newBuilder("in-process").build());
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    channel.shutdownNow();
    server.stop();
  }

  @Test
  void blocking_returnsTypedSummaries() {
    RunSummary serial = client.serial(Workload.DEFAULT);
    RunSummary parallel = client.parallel(Workload.of(30, 31).withParallelism(2));
    ProfileResult profile =
        client.profileSerial(Workload.of(36, 36), ProfileOptions.DEFAULT.withTop(3));
    Comparison comparison = client.compare(Workload.of(30, 31, 32, 30));

    assertEquals(BigInteger.valueOf(14_930_352), serial.results().get(2).number());
    assertEquals(Algorithm.NAIVE, serial.algorithm());
    assertTrue(serial.wall().compareTo(Duration.ZERO) > 0);
    assertEquals(2, parallel.parallelism());
    assertTrue(profile.profile().self().size() <= 3);
    assertTrue(profile.profile().self().get(0).method().contains("FibKernels.naive"));
    assertEquals(Phase.PARALLEL, comparison.parallel().results().get(0).phase());
    assertTrue(comparison.optimalMakespan().compareTo(comparison.lowerBound()) >= 0);
    assertTrue(comparison.largestFirstMakespan().compareTo(comparison.optimalMakespan()) >= 0);
    assertTrue(comparison.idealSpeedup() <= comparison.workers() + 1e-9, comparison::toString);
    assertTrue(comparison.exclusive());
    assertEquals(Schedule.MEASURED_OPTIMAL, comparison.schedule());
    assertTrue(comparison.parallel().results().get(0).cpuTime().isPresent());
  }

  @Test
  void everyStreamAndResult_namesItsRun() {
    try (EventStream events = client.serialStream(Workload.of(20, 21))) {
      assertTrue(events.hasNext());
      long id = events.runId().orElseThrow();
      FibEvent last = null;
      while (events.hasNext()) {
        last = events.next();
      }
      assertEquals(id, ((RunSummary) last).runId());
    }
    Comparison c = client.compare(Workload.of(20, 21));
    assertTrue(c.runId() > 0);
    assertEquals(c.runId(), c.serial().runId());
    assertEquals(c.runId(), c.parallel().runId());
  }

  @Test
  void runsStartedElsewhere_areListed_andWatched() throws Exception {
    RunSummary done = client.serial(Workload.of(20));
    try (EventStream watch = client.watchRuns(0, RunMethod.PARALLEL)) {
      // The watch is registered before the run starts, so its first message is the acceptance.
      dev.fibperf.server.testing.Waits.await("the watch")
          .until(() -> server.service().watchers() == 1);
      java.util.concurrent.CompletableFuture<RunSummary> other =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> client.parallel(Workload.of(21, 22)));
      RunWatchEvent accepted = (RunWatchEvent) watch.next();
      assertEquals(RunWatchEvent.Kind.ACCEPTED, accepted.kind());
      assertEquals(List.of(21, 22), accepted.run().orElseThrow().nums());
      RunWatchEvent last = accepted;
      while (last.kind() != RunWatchEvent.Kind.FINISHED) {
        last = (RunWatchEvent) watch.next();
        assertEquals(accepted.runId(), last.runId(), "only the Parallel run: " + last);
      }
      assertEquals(RunState.SUCCEEDED, last.run().orElseThrow().state());
      assertEquals(other.get().runId(), last.runId());
    }

    RunList runs = client.listRuns();
    assertTrue(runs.recent().stream().anyMatch(r -> r.runId() == done.runId()), runs.toString());
    RunInfo info = client.getRun(done.runId());
    assertEquals(RunMethod.SERIAL, info.method());
    assertEquals("6765", info.summary().orElseThrow().results().get(0).value().toString());
    FibPerfException missing = assertThrows(FibPerfException.class, () -> client.getRun(999_999));
    assertTrue(missing.getMessage().contains("NOT_FOUND"), missing.getMessage());
  }

  @Test
  void fastDoubling_valuesAreExactBigIntegers() {
    RunSummary s = client.serial(Workload.of(93, 200).withAlgorithm(Algorithm.FAST_DOUBLING));

    assertEquals(new BigInteger("12200160415121876738"), s.results().get(0).number());
    assertEquals(
        new BigInteger("280571172992510140037611932413038677189525"), s.results().get(1).number());
  }

  @Test
  void streaming_deliversEventsInOrder_andCompareTagsPhases() {
    List<FibEvent> events = new ArrayList<>();
    try (EventStream stream =
        client.compareStream(Workload.of(25, 26), CompareOptions.DEFAULT.withRounds(2))) {
      stream.forEachRemaining(events::add);
    }

    assertInstanceOf(TaskStarted.class, events.get(0));
    assertEquals(Phase.SERIAL, ((TaskStarted) events.get(0)).phase());
    List<String> phaseEnds =
        events.stream()
            .filter(e -> e instanceof PhaseCompleted)
            .map(e -> ((PhaseCompleted) e).round() + ((PhaseCompleted) e).phase().name())
            .toList();
    // Round 2 runs its parallel phase first (ABBA).
    assertEquals(List.of("1SERIAL", "1PARALLEL", "2PARALLEL", "2SERIAL"), phaseEnds);
    assertEquals(
        List.of(1, 2),
        events.stream()
            .filter(e -> e instanceof RoundResult)
            .map(e -> ((RoundResult) e).round())
            .toList());
    Comparison c = (Comparison) events.get(events.size() - 1);
    assertEquals(2, c.rounds().size());
    assertEquals(2, c.estimate().orElseThrow().rounds());
    // Per round: 2 phases x (2 tasks x (started + finished) + a summary), and its result.
    assertEquals(2 * (2 * (4 + 1) + 1) + 1, events.size());
  }

  @Test
  void closingAStream_cancelsTheRunOnTheServer() throws Exception {
    EventStream stream = client.parallelStream(Workload.of(47, 47));
    assertInstanceOf(TaskStarted.class, stream.next());

    stream.close();

    awaitIdle();
    FibPerfException e =
        assertThrows(FibPerfException.class, () -> stream.forEachRemaining(x -> {}));
    assertInstanceOf(FibPerfException.CallCancelledException.class, e);
  }

  @Test
  void async_completesWithTheSummary_andCancellingTheFutureStopsTheServer() throws Exception {
    CompletableFuture<RunSummary> ok = client.serialAsync(Workload.of(20, 21));
    assertEquals(2, ok.get(10, TimeUnit.SECONDS).results().size());

    CompletableFuture<Comparison> running =
        client.compareAsync(Workload.of(47), CompareOptions.DEFAULT);
    awaitBusy();
    running.cancel(true);

    awaitIdle();
    assertTrue(running.isCancelled());
  }

  @Test
  void failures_mapToTypedExceptionsWithTheServersMessage() throws Exception {
    FibPerfException.InvalidRequestException invalid =
        assertThrows(
            FibPerfException.InvalidRequestException.class, () -> client.serial(Workload.of(99)));
    assertEquals(
        "INVALID_ARGUMENT: nums[0]=99 exceeds max n 50 for algorithm ALGORITHM_NAIVE"
            + " (--max-n-naive)",
        invalid.getMessage());

    assertThrows(
        FibPerfException.DeadlineExceededException.class,
        () -> client.withDeadline(Duration.ofMillis(200)).serial(Workload.of(50)));
    awaitIdle();

    ExecutionException async =
        assertThrows(
            ExecutionException.class,
            () -> client.parallelAsync(Workload.of(1).withParallelism(9)).get(5, TimeUnit.SECONDS));
    assertInstanceOf(FibPerfException.InvalidRequestException.class, async.getCause());
    assertEquals(
        io.grpc.Status.Code.INVALID_ARGUMENT, ((FibPerfException) async.getCause()).code());
  }

  @Test
  void health_isServing() {
    assertEquals(ServingStatus.SERVING, client.health());
    assertEquals(ServingStatus.SERVING, client.health("fibperf.v1.FibPerfService"));
    assertFalse(client.settings().tls());
  }

  private void awaitIdle() {
    await("the server to free the run")
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.service().activeRuns() == 0);
  }

  private void awaitBusy() {
    await("the server to start the run")
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.service().activeRuns() > 0);
  }
}
