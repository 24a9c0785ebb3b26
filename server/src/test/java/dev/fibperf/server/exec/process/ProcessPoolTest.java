package dev.fibperf.server.exec.process;

import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.Note;
import dev.fibperf.proto.v1.NoteKind;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.PoolKind;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.InProcessFixture;
import dev.fibperf.server.testing.WorkerProcesses;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The process pool behind the real service: results, cancellation, runaways and crashes. Tests that
 * do not profile turn profiling off, so their worker JVMs skip the JFR warm-up rehearsal.
 */
class ProcessPoolTest {
  private static boolean modifiedSince(Path path, FileTime time) {
    try {
      return Files.getLastModifiedTime(path).compareTo(time) >= 0;
    } catch (IOException e) {
      return false; // gone meanwhile
    }
  }

  private static Duration cpuTime(long pid) {
    return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).orElse(Duration.ZERO);
  }

  static <T> List<T> drain(Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  static ParallelRequest onProcesses(int... nums) {
    ParallelRequest.Builder b = ParallelRequest.newBuilder().setPool(PoolKind.POOL_KIND_PROCESSES);
    for (int n : nums) {
      b.addNums(n);
    }
    return b.build();
  }

  @Test
  void processes_computeExactValues_nameTheirWorker_andStayWarm() throws Exception {
    try (InProcessFixture fx =
        new InProcessFixture(
            ServerConfig.newBuilder().workers(2).profilingEnabled(false).build())) {
      assertTrue(!fx.server.processes().isStarted(), "started before first use");

      List<ParallelResponse> first = drain(fx.blocking.parallel(onProcesses(30, 31, 32)));
      List<Long> pids = WorkerProcesses.pids();
      RunSummary second =
          drain(fx.blocking.parallel(onProcesses(33))).stream()
              .filter(ParallelResponse::hasSummary)
              .findFirst()
              .orElseThrow()
              .getSummary();

      RunSummary summary = first.get(first.size() - 1).getSummary();
      assertEquals(PoolKind.POOL_KIND_PROCESSES, summary.getPool());
      assertTrue(summary.getPoolCold());
      assertEquals("2178309", summary.getResults(2).getValue());
      assertTrue(summary.getResults(0).getWorker().startsWith("fibperf-process-"));
      assertNotEquals(
          Durations.ZERO, summary.getHandoffPerTask(), "the IPC cost is reported: " + summary);
      assertNotEquals(Durations.ZERO, summary.getPoolStartup(), "the cold start, on its own");
      assertEquals(2, pids.size());
      assertEquals(pids, WorkerProcesses.pids(), "workers reused");
      assertTrue(!second.getPoolCold());
    }
  }

  /**
   * Starting the worker JVMs takes about half a second; the thread that delivers the call must not
   * wait it out. With a direct executor the handler runs on the caller's own thread, so a call that
   * returns before the workers are up shows the cold start did not block it. Concurrent first calls
   * share one start.
   */
  @Test
  void coldStart_doesNotHoldTheCallThread_andConcurrentFirstCallsShareIt() throws Exception {
    String name = InProcessServerBuilder.generateName();
    FibServer server =
        new FibServer(
                InProcessServerBuilder.forName(name).directExecutor(),
                ServerConfig.newBuilder().workers(2).profilingEnabled(false).build())
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      FibPerfServiceGrpc.FibPerfServiceStub async = FibPerfServiceGrpc.newStub(channel);
      List<CompletableFuture<RunSummary>> summaries = new ArrayList<>();
      boolean returnedBeforeTheWorkersWereUp = true;
      for (int i = 0; i < 3; i++) {
        CompletableFuture<RunSummary> summary = new CompletableFuture<>();
        summaries.add(summary);
        async.parallel(onProcesses(25 + i), summaryOf(summary));
        returnedBeforeTheWorkersWereUp &= !server.processes().isStarted();
      }
      for (CompletableFuture<RunSummary> summary : summaries) {
        RunSummary s = summary.get(30, TimeUnit.SECONDS);
        assertTrue(s.getPoolCold(), "every call that waited for the start says so: " + s);
      }

      assertTrue(returnedBeforeTheWorkersWereUp, "a call held its thread for the cold start");
      assertEquals(2, WorkerProcesses.pids().size());
      assertEquals(
          2,
          ProcessHandle.current().children().count(),
          "one start for all three calls: " + ProcessHandle.current().children().toList());
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }

  static StreamObserver<ParallelResponse> summaryOf(CompletableFuture<RunSummary> summary) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ParallelResponse value) {
        if (value.hasSummary()) {
          summary.complete(value.getSummary());
        }
      }

      @Override
      public void onError(Throwable t) {
        summary.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        summary.completeExceptionally(new AssertionError("no summary"));
      }
    };
  }

  @Test
  void workersThatCannotStart_failTheCallWithUnavailable_andTheNextCallTriesAgain()
      throws Exception {
    try (InProcessFixture fx =
        new InProcessFixture(
            ServerConfig.newBuilder()
                .workers(1)
                .profilingEnabled(false)
                .workerJvmOptions(List.of("-XX:+NoSuchFibperfOption"))
                .build())) {
      List<StatusRuntimeException> failures = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        failures.add(
            assertThrows(
                StatusRuntimeException.class, () -> drain(fx.blocking.parallel(onProcesses(20)))));
      }

      for (StatusRuntimeException e : failures) {
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        assertTrue(
            e.getStatus().getDescription().contains("cannot start worker fibperf-process-0"),
            e.toString());
      }
      assertEquals(0, ProcessHandle.current().children().count(), "no half-started worker left");
      assertTrue(
          drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(20).build())).size() > 0,
          "threads still serve");
    }
  }

  @Test
  void cancel_stopsTheWorkersTask_andKeepsTheWorker() throws Exception {
    try (InProcessFixture fx =
        new InProcessFixture(
            ServerConfig.newBuilder().workers(2).profilingEnabled(false).build())) {
      drain(fx.blocking.parallel(onProcesses(10))); // start the workers
      List<Long> pids = WorkerProcesses.pids();
      Context.CancellableContext ctx = Context.current().withCancellation();
      Iterator<ParallelResponse> running =
          ctx.call(() -> fx.blocking.parallel(onProcesses(47, 47)));
      assertTrue(running.next().hasTaskStarted());

      ctx.cancel(null);
      fx.awaitIdle(
          Duration.ofSeconds(10)); // fib(47) takes many seconds: the tasks stopped at their checks

      assertEquals(pids, WorkerProcesses.pids(), "cooperative workers are kept");
    }
  }

  @Test
  void aCallArrivingAsARunawayIsKilled_neverGetsTheDyingWorker_andTheKilledOneIsReplacedAtOnce()
      throws Exception {
    ServerConfig config =
        ServerConfig.newBuilder()
            .workers(1)
            .profilingEnabled(false)
            .workerJvmOptions(List.of("-Dfibperf.worker.ignoreCancel=true"))
            .workerKillGrace(Duration.ofMillis(100))
            .build();
    try (InProcessFixture fx = new InProcessFixture(config)) {
      drain(fx.blocking.parallel(onProcesses(10)));
      for (int trial = 0; trial < 5; trial++) {
        long runaway = WorkerProcesses.pids().get(0);
        Context.CancellableContext ctx = Context.current().withCancellation();
        Iterator<ParallelResponse> running = ctx.call(() -> fx.blocking.parallel(onProcesses(50)));
        assertTrue(running.next().hasTaskStarted());

        ctx.cancel(null);
        // At once, not after the kill: the only worker is still computing fib(50), ignoring the
        // cancel, and is killed 100 ms from now. This call's task must not be handed to it.
        String value = lastValue(fx.blocking.parallel(onProcesses(30)));

        assertEquals("832040", value, "trial " + trial);
        assertNotEquals(runaway, WorkerProcesses.pids().get(0), "trial " + trial);
      }
    }
    // And without another call: the replacement starts as soon as the kill happens.
    try (InProcessFixture fx = new InProcessFixture(config)) {
      drain(fx.blocking.parallel(onProcesses(10)));
      long runaway = WorkerProcesses.pids().get(0);
      Context.CancellableContext ctx = Context.current().withCancellation();
      Iterator<ParallelResponse> running = ctx.call(() -> fx.blocking.parallel(onProcesses(50)));
      assertTrue(running.next().hasTaskStarted());
      ctx.cancel(null);
      fx.awaitIdle(Duration.ofSeconds(10));

      // The only other JVM this test has started, once the runaway is gone, is its replacement.
      dev.fibperf.server.testing.Waits.await("a replacement worker")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  ProcessHandle.current()
                      .descendants()
                      .anyMatch(h -> h.isAlive() && h.pid() != runaway));
    }
  }

  @Test
  void workerIgnoringCancel_isKilledAndReplaced() throws Exception {
    ServerConfig config =
        ServerConfig.newBuilder()
            .workers(1)
            .profilingEnabled(false)
            .workerJvmOptions(List.of("-Dfibperf.worker.ignoreCancel=true"))
            .workerKillGrace(Duration.ofMillis(100)) // a runaway: no need to wait the default 1 s
            .build();
    try (InProcessFixture fx = new InProcessFixture(config)) {
      drain(fx.blocking.parallel(onProcesses(10)));
      long runaway = WorkerProcesses.pids().get(0);
      Context.CancellableContext ctx = Context.current().withCancellation();
      Iterator<ParallelResponse> running = ctx.call(() -> fx.blocking.parallel(onProcesses(50)));
      assertTrue(running.next().hasTaskStarted());

      ctx.cancel(null);
      fx.awaitIdle(Duration.ofSeconds(10)); // fib(50) never ends by itself: the kill ended the run

      // SIGKILL was sent; the process is gone as soon as the kernel reaps it.
      ProcessHandle.of(runaway).ifPresent(h -> h.onExit().orTimeout(2, TimeUnit.SECONDS).join());
      assertEquals("832040", lastValue(fx.blocking.parallel(onProcesses(30))));
      assertNotEquals(runaway, WorkerProcesses.pids().get(0), "replaced");
    }
  }

  @Test
  void killedWorker_failsItsTaskWithUnavailable_andThePoolRecovers() throws Exception {
    try (InProcessFixture fx =
        new InProcessFixture(
            ServerConfig.newBuilder().workers(1).profilingEnabled(false).build())) {
      drain(fx.blocking.parallel(onProcesses(10)));
      long victim = WorkerProcesses.pids().get(0);
      Iterator<ParallelResponse> running = fx.blocking.parallel(onProcesses(49));
      assertTrue(running.next().hasTaskStarted());
      // The started event comes just before the task is sent: a worker found dead before that is
      // replaced and the task runs on the replacement, which is right, but not this test's case.
      // So wait until the worker is visibly computing (its CPU time grows).
      Duration before = cpuTime(victim);
      await("the worker to compute")
          .atMost(Duration.ofSeconds(30))
          .until(() -> cpuTime(victim).minus(before).toMillis() > 100);

      ProcessHandle.of(victim).orElseThrow().destroyForcibly();
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> drain(running));

      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(
          e.getStatus()
              .getDescription()
              .matches(
                  "worker fibperf-process-0 \\(pid "
                      + victim
                      + "\\) died running nums\\[0\\]=49, exit code 137; the pool is replacing it"),
          e.getStatus().getDescription());
      // The server keeps serving, on threads and on a replaced worker.
      assertEquals(4, drain(fx.blocking.serial(SerialRequest.getDefaultInstance())).size() / 2);
      assertEquals("832040", lastValue(fx.blocking.parallel(onProcesses(30))));
      assertNotEquals(victim, WorkerProcesses.pids().get(0));
      assertEquals(
          1.0,
          fx.server
              .metrics()
              .registry()
              .get(dev.fibperf.server.metrics.FibPerfMetrics.WORKER_RESTARTS)
              .counter()
              .count(),
          "the replacement is counted");
    }
  }

  @Test
  void compare_onProcesses_statesBothDispatchCosts() throws Exception {
    try (InProcessFixture fx =
        new InProcessFixture(
            ServerConfig.newBuilder().workers(2).profilingEnabled(false).build())) {
      List<dev.fibperf.proto.v1.CompareResponse> events =
          drain(
              fx.blocking.compare(
                  CompareRequest.newBuilder()
                      .setRounds(1)
                      .addAllNums(List.of(30, 31, 32, 31))
                      .setPool(PoolKind.POOL_KIND_PROCESSES)
                      .build()));
      Comparison c = events.get(events.size() - 1).getComparison();

      assertEquals(PoolKind.POOL_KIND_THREADS, c.getSerial().getPool());
      assertEquals(PoolKind.POOL_KIND_PROCESSES, c.getParallel().getPool());
      List<NoteKind> kinds = c.getFindingsList().stream().map(Note::getKind).toList();
      assertTrue(kinds.contains(NoteKind.NOTE_KIND_PROCESS_HANDOFF), kinds::toString);
      Note warmup =
          c.getFindingsList().stream()
              .filter(n -> n.getKind() == NoteKind.NOTE_KIND_WARMUP_STARTED_POOLS)
              .findFirst()
              .orElseThrow();
      assertEquals("pools", warmup.getFigures(0).getName());
      assertEquals(2, warmup.getFigures(0).getCount(), "threads and worker processes");
    }
  }

  /**
   * Two ProfileSerial calls on the process pool at once ask the same workers for their profiles;
   * each reply must reach the call that asked (none waits out a timeout for a reply another took),
   * and each profile holds only its own call's samples.
   */
  @Test
  void concurrentProfiles_onProcesses_eachGetTheirOwnWorkerReplies() throws Exception {
    try (InProcessFixture fx = new InProcessFixture(ServerConfig.newBuilder().workers(2).build())) {
      drain(fx.blocking.parallel(onProcesses(20, 20))); // start the workers: not measured
      List<CompletableFuture<dev.fibperf.proto.v1.ProfileSummary>> calls = new ArrayList<>();
      for (List<Integer> nums : List.of(List.of(36, 36, 36, 36), List.of(35, 35, 35))) {
        calls.add(
            CompletableFuture.supplyAsync(
                () -> {
                  List<dev.fibperf.proto.v1.ProfileSerialResponse> events =
                      drain(
                          fx.blocking.profileSerial(
                              dev.fibperf.proto.v1.ProfileSerialRequest.newBuilder()
                                  .addAllNums(nums)
                                  .setPool(PoolKind.POOL_KIND_PROCESSES)
                                  .setOptions(
                                      dev.fibperf.proto.v1.ProfileOptions.newBuilder()
                                          .setSnapshotInterval(
                                              com.google.protobuf.Duration.newBuilder()
                                                  .setNanos(100_000_000)))
                                  .build()));
                  return events.get(events.size() - 1).getSummary();
                }));
      }
      List<dev.fibperf.proto.v1.ProfileSummary> summaries = new ArrayList<>();
      for (CompletableFuture<dev.fibperf.proto.v1.ProfileSummary> call : calls) {
        summaries.add(call.get(60, TimeUnit.SECONDS));
      }

      // A stolen reply would leave its call without that worker's samples (after a 10 s wait).
      for (dev.fibperf.proto.v1.ProfileSummary summary : summaries) {
        dev.fibperf.proto.v1.Profile profile = summary.getProfile();
        double taskSeconds =
            summary.getRun().getResultsList().stream()
                .mapToDouble(r -> r.getDuration().getSeconds() + r.getDuration().getNanos() / 1e9)
                .sum();
        double windowSeconds =
            profile.getDuration().getSeconds() + profile.getDuration().getNanos() / 1e9;
        // The profile's window is this call's own task windows, not both calls'.
        assertEquals(taskSeconds, windowSeconds, 0.2 * taskSeconds, profile.toString());
        // Few: both workers may still be warming JFR in the background, competing for the cores.
        assertTrue(profile.getTotalSamples() > 5, profile.toString());
        assertTrue(
            profile.getSelf(0).getMethod().contains("FibKernels.naive("), profile.toString());
      }
    }
  }

  @Test
  void workersThatEnd_leaveNoJfrRepositoryBehind() throws Exception {
    // A second of slack for file-time granularity: older folders are other JVMs' (PIDs repeat).
    FileTime started = FileTime.from(Instant.now().minusSeconds(1));
    List<Long> pids;
    try (InProcessFixture fx = new InProcessFixture(ServerConfig.newBuilder().workers(2).build())) {
      drain(
          fx.blocking.profileSerial(
              dev.fibperf.proto.v1.ProfileSerialRequest.newBuilder()
                  .addNums(25)
                  .setPool(PoolKind.POOL_KIND_PROCESSES)
                  .build()));
      pids = WorkerProcesses.pids();
    }
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
    }

    // JFR names its repository folder yyyy_MM_dd_HH_mm_ss_PID in the temp folder.
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      List<Path> left =
          entries
              .filter(
                  e ->
                      pids.stream().anyMatch(pid -> e.getFileName().toString().endsWith("_" + pid)))
              .filter(e -> modifiedSince(e, started))
              .toList();
      assertEquals(List.of(), left, "JFR repositories of workers " + pids);
    }
  }

  @Test
  void profileSerial_onProcesses_withAsyncProfiler_profilesTheWorkerJvmsWithIt() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        dev.fibperf.server.profile.JfrProfiler.asyncProfiler().startsWith("async-profiler "));
    try (InProcessFixture fx = new InProcessFixture(ServerConfig.newBuilder().workers(2).build())) {
      drain(fx.blocking.parallel(onProcesses(20, 20))); // start the workers: not measured
      List<dev.fibperf.proto.v1.ProfileSerialResponse> events =
          drain(
              fx.blocking.profileSerial(
                  dev.fibperf.proto.v1.ProfileSerialRequest.newBuilder()
                      .addAllNums(List.of(37, 37, 37))
                      .setPool(PoolKind.POOL_KIND_PROCESSES)
                      .setOptions(
                          dev.fibperf.proto.v1.ProfileOptions.newBuilder()
                              .setEngine(
                                  dev.fibperf.proto.v1.ProfilingEngine
                                      .PROFILING_ENGINE_ASYNC_PROFILER))
                      .build()));
      dev.fibperf.proto.v1.Profile profile =
          events.get(events.size() - 1).getSummary().getProfile();

      assertTrue(profile.getEngine().startsWith("async-profiler "), profile.toString());
      assertEquals("", profile.getEngineNote());
      assertTrue(profile.getTotalSamples() >= 5, profile.toString());
      assertTrue(
          profile.getSelf(0).getMethod().startsWith("dev.fibperf.server.compute.FibKernels.naive("),
          profile.toString());
    }
  }

  @Test
  void profileSerial_onProcesses_profilesTheWorkerJvm_inTheSameShape() throws Exception {
    try (InProcessFixture fx = new InProcessFixture(ServerConfig.newBuilder().workers(2).build())) {
      drain(fx.blocking.parallel(onProcesses(20, 20))); // start the workers: not measured
      List<dev.fibperf.proto.v1.ProfileSerialResponse> events =
          drain(
              fx.blocking.profileSerial(
                  dev.fibperf.proto.v1.ProfileSerialRequest.newBuilder()
                      // Long enough (about 2.5 s on two workers) for several snapshots after the
                      // live view's first flush, which takes up to a second; fib(38) x 5 was too
                      // short.
                      .addAllNums(List.of(39, 39, 39, 39, 39, 39))
                      .setPool(PoolKind.POOL_KIND_PROCESSES)
                      .setOptions(
                          dev.fibperf.proto.v1.ProfileOptions.newBuilder()
                              // JFR: its live view lags about a second, async-profiler's one
                              // to two, longer than this run
                              // (profileSerial_onProcesses_withAsyncProfiler covers that engine).
                              .setEngine(dev.fibperf.proto.v1.ProfilingEngine.PROFILING_ENGINE_JFR)
                              .setSnapshotInterval(
                                  com.google.protobuf.Duration.newBuilder().setNanos(100_000_000))
                              .addArtifacts(
                                  dev.fibperf.proto.v1.ArtifactChunk.Format.FORMAT_COLLAPSED))
                      .build()));
      StatusRuntimeException noRaw =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  drain(
                      fx.blocking.profileSerial(
                          dev.fibperf.proto.v1.ProfileSerialRequest.newBuilder()
                              .setPool(PoolKind.POOL_KIND_PROCESSES)
                              .setOptions(
                                  dev.fibperf.proto.v1.ProfileOptions.newBuilder()
                                      .addArtifacts(
                                          dev.fibperf.proto.v1.ArtifactChunk.Format.FORMAT_JFR))
                              .build())));

      dev.fibperf.proto.v1.ProfileSummary summary = events.get(events.size() - 1).getSummary();
      dev.fibperf.proto.v1.Profile profile = summary.getProfile();
      assertEquals(PoolKind.POOL_KIND_PROCESSES, summary.getRun().getPool());
      assertTrue(summary.getRun().getResults(0).getWorker().startsWith("fibperf-process-"));
      assertTrue(profile.getTotalSamples() >= 5, profile.toString()); // a floor to rank, not a rate
      assertTrue(
          profile.getSelf(0).getMethod().startsWith("dev.fibperf.server.compute.FibKernels.naive("),
          profile.toString());
      double fibShare =
          profile.getSelfList().stream()
              .filter(m -> m.getMethod().contains("FibKernels.naive("))
              .mapToDouble(dev.fibperf.proto.v1.HotMethod::getPercent)
              .sum();
      assertTrue(fibShare >= 95.0, profile.toString());
      assertTrue(events.stream().anyMatch(e -> e.hasArtifact() && e.getArtifact().getLast()));
      assertEquals(Status.Code.FAILED_PRECONDITION, noRaw.getStatus().getCode());

      // Live snapshots from the worker JVMs while the run goes on, growing towards the final.
      List<dev.fibperf.proto.v1.ProfileSnapshot> snapshots =
          events.stream()
              .filter(dev.fibperf.proto.v1.ProfileSerialResponse::hasSnapshot)
              .map(dev.fibperf.proto.v1.ProfileSerialResponse::getSnapshot)
              .toList();
      assertTrue(snapshots.size() >= 2, "snapshots: " + snapshots.size());
      long previous = 0;
      for (dev.fibperf.proto.v1.ProfileSnapshot snapshot : snapshots) {
        long samples = snapshot.getProfile().getTotalSamples();
        assertTrue(samples >= previous, "snapshot went back from " + previous + " to " + samples);
        previous = samples;
        assertEquals(6, snapshot.getTasksTotal());
      }
      assertTrue(previous > 0 && previous <= profile.getTotalSamples(), "last " + previous);
      assertTrue(
          snapshots
              .get(snapshots.size() - 1)
              .getProfile()
              .getSelf(0)
              .getMethod()
              .contains("FibKernels.naive("));
    }
  }

  private static String lastValue(Iterator<ParallelResponse> stream) {
    List<ParallelResponse> events = drain(stream);
    return events.get(events.size() - 1).getSummary().getResults(0).getValue();
  }
}
