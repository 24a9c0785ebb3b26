package dev.fibperf.server.exec.cluster;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.Algorithm;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.NoteKind;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.PoolKind;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.proto.v1.TaskFinished;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.exec.PoolObserver;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.exec.TaskKernel;
import dev.fibperf.server.exec.TaskPool;
import dev.fibperf.server.peer.ClusterCredentials;
import dev.fibperf.server.testing.FakeKernel;
import dev.fibperf.server.testing.FibOracle;
import dev.fibperf.server.testing.InProcessFixture;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster pool against real replicas: three {@link FibServer}s with one worker each, each on
 * its own loopback socket, and a coordinator whose {@code --peers} lists them.
 */
@Timeout(60)
class ClusterPoolTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef-cluster-pool-test";

  /**
   * Every replica here is on loopback, in plaintext: the tests of TLS peers are in ClusterTlsTest.
   */
  static final ClusterCredentials CLUSTER = ClusterCredentials.plaintextOnLoopback(SECRET);

  private final List<FibServer> peers = new ArrayList<>();
  private final List<FakeKernel> kernels = new ArrayList<>();
  private InProcessFixture coordinator;

  @AfterEach
  void stop() throws Exception {
    if (coordinator != null) {
      coordinator.close();
    }
    for (FibServer peer : peers) {
      peer.stop();
    }
  }

  /** Starts {@code count} one-worker replicas; with {@code gated}, their tasks wait for release. */
  private String startPeers(int count, boolean gated) throws Exception {
    return startPeers(count, gated, UnaryOperator.identity());
  }

  private String startPeers(int count, boolean gated, UnaryOperator<ServerConfig.Builder> config)
      throws Exception {
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      FibServer.Builder b =
          FibServer.newBuilder(
              NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
              config
                  .apply(
                      ServerConfig.newBuilder()
                          .workers(1)
                          .profilingEnabled(false)
                          .shutdownGrace(Duration.ZERO)
                          // A replica serves its peers only when it is in a cluster (--peers);
                          // its own cluster pool is never used here, so the list need not be
                          // reachable.
                          .peers("127.0.0.1:1"))
                  .build());
      b.cluster(CLUSTER);
      if (gated) {
        FakeKernel kernel = FakeKernel.gated();
        kernels.add(kernel);
        b.threadKernel(kernel);
      }
      FibServer peer = b.build().start();
      peers.add(peer);
      addresses.add("127.0.0.1:" + peer.port());
    }
    return String.join(",", addresses);
  }

  private void startCoordinator(String peerList) throws Exception {
    coordinator =
        new InProcessFixture(
            ServerConfig.newBuilder().workers(1).profilingEnabled(false).peers(peerList).build(),
            b -> b.cluster(CLUSTER));
  }

  private static ParallelRequest parallel(int... nums) {
    ParallelRequest.Builder r = ParallelRequest.newBuilder().setPool(PoolKind.POOL_KIND_CLUSTER);
    for (int n : nums) {
      r.addNums(n);
    }
    return r.build();
  }

  private static String peerOf(TaskFinished t) {
    return t.getWorker().substring(0, t.getWorker().indexOf('/'));
  }

  /**
   * A peer queues nothing: with its one worker busy, a second task is refused RESOURCE_EXHAUSTED
   * (so coordinators cannot pile work on it), a task past its naive-call budget is refused as a
   * one-task request would be, and a coordinator that meets the full peer waits for it instead of
   * failing the run.
   */
  @Test
  void aFullPeer_refusesMoreThanItsWorkers_andItsBudget_andACoordinatorWaitsForIt()
      throws Exception {
    String list = startPeers(1, true);
    io.grpc.ManagedChannel direct =
        io.grpc.Grpc.newChannelBuilder(list, io.grpc.InsecureChannelCredentials.create()).build();
    try {
      var stub =
          dev.fibperf.proto.cluster.v1.PeerServiceGrpc.newBlockingStub(direct)
              .withCallCredentials(CLUSTER.callCredentials());
      var futures =
          dev.fibperf.proto.cluster.v1.PeerServiceGrpc.newFutureStub(direct)
              .withCallCredentials(CLUSTER.callCredentials());
      var compute =
          dev.fibperf.proto.cluster.v1.ComputeRequest.newBuilder()
              .setN(20)
              .setKernel(dev.fibperf.proto.cluster.v1.Kernel.KERNEL_NAIVE)
              .build();
      var first = futures.compute(compute);
      assertTrue(kernels.get(0).awaitStarted(1));

      StatusRuntimeException full =
          assertThrows(StatusRuntimeException.class, () -> stub.compute(compute));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
      assertEquals(
          "peer full: its one worker has a peer task; try another",
          full.getStatus().getDescription());
      StatusRuntimeException budget =
          assertThrows(
              StatusRuntimeException.class,
              () -> stub.compute(compute.toBuilder().setN(60).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, budget.getStatus().getCode());
      assertTrue(
          budget.getStatus().getDescription().contains("naive-recursion calls")
              || budget.getStatus().getDescription().contains("max n"),
          budget.getStatus().getDescription());

      // A coordinator's task meets the full peer, waits, and runs once the first one ends.
      startCoordinator(list);
      var run =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> drain(coordinator.blocking.parallel(parallel(21))));
      kernels.get(0).release(1);
      first.get(30, TimeUnit.SECONDS);
      kernels.get(0).release(1);
      List<ParallelResponse> events = run.get(60, TimeUnit.SECONDS);
      RunSummary summary = events.get(events.size() - 1).getSummary();
      assertEquals(1, summary.getResultsCount());
      assertEquals(0, summary.getResults(0).getFailedAttemptsCount(), "a full peer is no failure");
    } finally {
      direct.shutdownNow();
    }
  }

  @Test
  void parallel_spreadsTasksOverEveryPeersWorkers_withTheRightValues() throws Exception {
    String list = startPeers(3, false);
    startCoordinator(list);

    List<ParallelResponse> events =
        drain(coordinator.blocking.parallel(parallel(27, 30, 25, 29, 28, 26)));
    RunSummary summary = events.get(events.size() - 1).getSummary();
    java.util.Map<Integer, String> started = new java.util.HashMap<>();
    for (ParallelResponse e : events) {
      if (e.hasTaskStarted()) {
        started.put(e.getTaskStarted().getIndex(), e.getTaskStarted().getWorker());
      }
    }
    assertEquals(6, started.size(), "every task started once");

    assertEquals(PoolKind.POOL_KIND_CLUSTER, summary.getPool());
    assertEquals(3, summary.getParallelism(), "parallelism 0 = the peers' 3 workers");
    assertEquals(0, summary.getTasksRerun());
    Set<String> peersUsed = new HashSet<>();
    for (TaskFinished t : summary.getResultsList()) {
      assertEquals(FibOracle.fib(t.getN()).toString(), t.getValue(), "nums[" + t.getIndex() + "]");
      assertEquals(1, t.getAttempts());
      assertTrue(t.getWorker().matches("127\\.0\\.0\\.1:\\d+/0"), t.getWorker());
      assertEquals(started.get(t.getIndex()), t.getWorker(), "both events name the same worker");
      peersUsed.add(peerOf(t));
    }
    assertEquals(Set.of(list.split(",")), peersUsed, "six tasks, largest first, reach all three");
    assertTrue(
        summary.getHandoffPerTask().getNanos() > 0 || summary.getHandoffPerTask().getSeconds() > 0,
        "a network round trip costs something");
  }

  @Test
  void compare_measuresAgainstThePeersTotalWorkers_andReportsTheNetworkHandoff() throws Exception {
    startCoordinator(startPeers(3, false));

    List<CompareResponse> events =
        drain(
            coordinator.blocking.compare(
                CompareRequest.newBuilder()
                    .setRounds(1)
                    .addAllNums(List.of(27, 28, 29, 27, 28, 29))
                    .setPool(PoolKind.POOL_KIND_CLUSTER)
                    .build()));
    Comparison c = events.get(events.size() - 1).getComparison();

    assertEquals(3, c.getWorkers());
    assertEquals(PoolKind.POOL_KIND_THREADS, c.getSerial().getPool(), "the baseline is local");
    assertEquals(PoolKind.POOL_KIND_CLUSTER, c.getParallel().getPool());
    for (TaskFinished t : c.getParallel().getResultsList()) {
      assertEquals(FibOracle.fib(t.getN()).toString(), t.getValue());
    }
    dev.fibperf.proto.v1.Note handoff =
        c.getFindingsList().stream()
            .filter(n -> n.getKind() == NoteKind.NOTE_KIND_CLUSTER_HANDOFF)
            .findFirst()
            .orElseThrow(() -> new AssertionError(c.getFindingsList()));
    assertEquals("workers", handoff.getFigures(0).getName());
    assertEquals(3, handoff.getFigures(0).getCount());
  }

  @Test
  void cancellingTheCall_stopsTheTasksOnThePeers() throws Exception {
    startCoordinator(startPeers(3, true));
    Context.CancellableContext call = Context.current().withCancellation();
    Iterator<ParallelResponse> stream =
        call.call(() -> coordinator.blocking.parallel(parallel(30, 31, 32)));
    stream.next(); // the first task has started
    for (FakeKernel k : kernels) {
      assertTrue(k.awaitStarted(1), "every peer runs one task");
    }

    call.cancel(null);

    for (FakeKernel k : kernels) {
      await("peer task cancelled").atMost(Duration.ofSeconds(10)).until(() -> k.cancelled() == 1);
    }
  }

  @Test
  void aTasksDeadline_travelsToThePeer_whichStopsItThen() throws Exception {
    String list = startPeers(1, true);
    ClusterPool pool =
        new ClusterPool(PeerTargets.parse(list), CLUSTER, "test-coordinator", PoolObserver.NONE);
    try {
      TaskPool.Lease lease = pool.acquire();
      // Long enough for the task to reach the peer's (cold) worker on a loaded machine.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      TaskKernel kernel = lease.kernel();
      // A token nobody cancels: only the deadline, sent with the call, can stop the task.
      CancellationToken never = new CancellationToken();

      var call =
          java.util.concurrent.CompletableFuture.runAsync(
              () ->
                  kernel.compute(
                      dev.fibperf.server.compute.Algorithm.NAIVE,
                      new Task(0, 30),
                      never,
                      TaskContext.NONE.withDeadline(deadline)));
      assertTrue(kernels.get(0).awaitStarted(1), "the task reached the peer's worker");
      java.util.concurrent.ExecutionException e =
          assertThrows(java.util.concurrent.ExecutionException.class, call::get);
      assertTrue(e.getCause() instanceof CancellationException, e.toString());
      await("peer task stopped")
          .atMost(Duration.ofSeconds(10))
          .until(() -> kernels.get(0).cancelled() == 1);
    } finally {
      pool.close();
    }
  }

  @Test
  void aPeerThatDiesMidTask_hasItsTaskRunAgainOnAnother_andTheSummarySaysSo() throws Exception {
    String list = startPeers(3, true);
    startCoordinator(list);
    Iterator<ParallelResponse> stream = coordinator.blocking.parallel(parallel(30, 31, 32));
    for (FakeKernel k : kernels) {
      assertTrue(k.awaitStarted(1));
    }

    peers.get(0).stop(); // grace 0: its task is cut off
    String lost = list.split(",")[0];
    kernels.get(1).release(2);
    kernels.get(2).release(2);
    List<ParallelResponse> events = drain(stream);
    RunSummary summary = events.get(events.size() - 1).getSummary();

    assertEquals(1, summary.getTasksRerun());
    List<TaskFinished> rerun =
        summary.getResultsList().stream().filter(t -> t.getAttempts() > 1).toList();
    assertEquals(1, rerun.size());
    assertEquals(2, rerun.get(0).getAttempts());
    assertTrue(
        rerun.get(0).getFailedAttempts(0).matches("peer " + lost + ": (UNAVAILABLE|CANCELLED).*"),
        rerun.get(0).getFailedAttemptsList().toString());
    for (TaskFinished t : summary.getResultsList()) {
      assertEquals(String.valueOf(t.getN()), t.getValue(), "the fake kernel's value");
      assertTrue(!peerOf(t).equals(lost), "finished on a live peer: " + t.getWorker());
    }
    // The next call's pool has the two peers left.
    kernels.get(1).release(10);
    kernels.get(2).release(10);
    RunSummary next = last(drain(coordinator.blocking.parallel(parallel(1, 2))));
    assertEquals(2, next.getParallelism());
    assertEquals(0, next.getTasksRerun());
  }

  private static RunSummary last(List<ParallelResponse> events) {
    return events.get(events.size() - 1).getSummary();
  }

  @Test
  void aLoadedKernel_runsOnPeersThatHoldTheSameJar_andIsRefusedByOneThatDoesNot() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("cluster-kernels");
    java.nio.file.Path same =
        dev.fibperf.server.testing.kernels.KernelJar.write(
            dir.resolve("same.jar"), dev.fibperf.server.testing.kernels.MisbehavingKernels.ALL);
    java.nio.file.Path other =
        dev.fibperf.server.testing.kernels.KernelJar.write(
            dir.resolve("other.jar"),
            List.of(dev.fibperf.server.testing.kernels.MisbehavingKernels.Isolation.class));
    String list = startPeers(2, false, c -> c.kernels(List.of(same)));
    coordinator =
        new InProcessFixture(
            ServerConfig.newBuilder()
                .workers(1)
                .profilingEnabled(false)
                .peers(list)
                .kernels(List.of(same))
                .build(),
            b -> b.cluster(CLUSTER));
    ParallelRequest isolation =
        ParallelRequest.newBuilder()
            .setPool(PoolKind.POOL_KIND_CLUSTER)
            .setKernel("test-isolation")
            .addAllNums(List.of(1, 2, 3))
            .build();

    List<ParallelResponse> events = drain(coordinator.blocking.parallel(isolation));
    RunSummary summary = events.get(events.size() - 1).getSummary();
    assertEquals("test-isolation", summary.getKernel());
    for (TaskFinished t : summary.getResultsList()) {
      assertEquals("isolated", t.getValue(), "computed on " + t.getWorker());
      assertTrue(t.getWorker().matches("127\\.0\\.0\\.1:\\d+/0"), t.getWorker());
    }

    // A peer whose jar is another build: the coordinator's task is refused, naming both digests.
    String otherPeer = startPeers(1, false, c -> c.kernels(List.of(other)));
    coordinator.close();
    coordinator =
        new InProcessFixture(
            ServerConfig.newBuilder()
                .workers(1)
                .profilingEnabled(false)
                .peers(otherPeer)
                .kernels(List.of(same))
                .build(),
            b -> b.cluster(CLUSTER));
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class, () -> drain(coordinator.blocking.parallel(isolation)));
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
    String digestSame = dev.fibperf.server.compute.KernelCatalog.sha256(same.toAbsolutePath());
    String digestOther = dev.fibperf.server.compute.KernelCatalog.sha256(other.toAbsolutePath());
    assertTrue(
        refused.getStatus().getDescription().contains("kernel test-isolation differs")
            && refused.getStatus().getDescription().contains(digestSame)
            && refused.getStatus().getDescription().contains(digestOther),
        refused.getStatus().getDescription());
  }

  @Test
  void askingForMoreParallelismThanThePeersHave_failsNamingBoth() throws Exception {
    startCoordinator(startPeers(2, false));

    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                drain(
                    coordinator.blocking.parallel(
                        parallel(20, 21, 22).toBuilder().setParallelism(5).build())));

    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals(
        "parallelism=5 exceeds the 2 workers the cluster pool has now",
        e.getStatus().getDescription());
  }

  @Test
  void noPeerAnswering_isUnavailable_namingThePeersAndWhy() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    startCoordinator("127.0.0.1:" + closedPort);

    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> drain(coordinator.blocking.parallel(parallel(20, 21))));

    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(
        e.getStatus()
            .getDescription()
            .startsWith(
                "cluster pool: no peer of --peers=127.0.0.1:"
                    + closedPort
                    + " answered: [127.0.0.1:"
                    + closedPort
                    + ": UNAVAILABLE"),
        e.getStatus().getDescription());
  }

  @Test
  void withoutPeers_orWithAProfile_theClusterPoolIsRefusedUpFront() throws Exception {
    coordinator =
        new InProcessFixture(ServerConfig.newBuilder().workers(1).profilingEnabled(false).build());
    StatusRuntimeException none =
        assertThrows(
            StatusRuntimeException.class, () -> drain(coordinator.blocking.parallel(parallel(20))));
    assertEquals(Status.Code.FAILED_PRECONDITION, none.getStatus().getCode());
    assertEquals(
        "pool=POOL_KIND_CLUSTER needs --peers; this server has none",
        none.getStatus().getDescription());
    coordinator.close();

    coordinator =
        new InProcessFixture(
            ServerConfig.newBuilder().workers(1).peers("127.0.0.1:1").build(),
            b -> b.cluster(CLUSTER));
    StatusRuntimeException profiled =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                drain(
                    coordinator.blocking.profileSerial(
                        ProfileSerialRequest.newBuilder()
                            .setPool(PoolKind.POOL_KIND_CLUSTER)
                            .setAlgorithm(Algorithm.ALGORITHM_NAIVE)
                            .build())));
    assertEquals(Status.Code.FAILED_PRECONDITION, profiled.getStatus().getCode());
    assertTrue(
        profiled.getStatus().getDescription().startsWith("pool: profiling is not available"),
        profiled.getStatus().getDescription());
  }

  private static dev.fibperf.proto.cluster.v1.ComputeRequest compute(int n) {
    return dev.fibperf.proto.cluster.v1.ComputeRequest.newBuilder()
        .setN(n)
        .setKernel(dev.fibperf.proto.cluster.v1.Kernel.KERNEL_NAIVE)
        .build();
  }

  @Test
  void thePeerService_refusesCallsWithoutTheClusterSecret_beforeReadingThem() throws Exception {
    String list = startPeers(1, false);
    io.grpc.ManagedChannel direct =
        io.grpc.Grpc.newChannelBuilder(list, io.grpc.InsecureChannelCredentials.create()).build();
    try {
      var anonymous = dev.fibperf.proto.cluster.v1.PeerServiceGrpc.newBlockingStub(direct);
      StatusRuntimeException none =
          assertThrows(StatusRuntimeException.class, () -> anonymous.compute(compute(20)));
      assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
      assertEquals(
          "PeerService is for this cluster's replicas: the call carries no cluster secret",
          none.getStatus().getDescription());
      var wrong =
          anonymous.withCallCredentials(
              ClusterCredentials.plaintextOnLoopback(SECRET + "-not-this-one").callCredentials());
      StatusRuntimeException bad =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  wrong.capacity(
                      dev.fibperf.proto.cluster.v1.CapacityRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAUTHENTICATED, bad.getStatus().getCode());
      assertEquals(
          "PeerService is for this cluster's replicas: the call's cluster secret is wrong",
          bad.getStatus().getDescription());
      // Nothing ran: the peer's ListRuns is empty.
      var runs =
          dev.fibperf.proto.v1.FibPerfServiceGrpc.newBlockingStub(direct)
              .listRuns(dev.fibperf.proto.v1.ListRunsRequest.getDefaultInstance());
      assertEquals(0, runs.getRecentCount() + runs.getInFlightCount());
    } finally {
      direct.shutdownNow();
    }
  }

  /**
   * Each task a coordinator sends is a run on the peer: in its ListRuns as a Serial run of that
   * task, naming the coordinator and the coordinator's run.
   */
  @Test
  void peerTasks_areRunsOnThePeer_shownAsPartOfTheCoordinatorsRun() throws Exception {
    String list = startPeers(1, false);
    startCoordinator(list);

    drain(coordinator.blocking.parallel(parallel(21, 22)));
    long coordinatorRun =
        coordinator
            .blocking
            .listRuns(dev.fibperf.proto.v1.ListRunsRequest.getDefaultInstance())
            .getRecent(0)
            .getRunId();

    io.grpc.ManagedChannel direct =
        io.grpc.Grpc.newChannelBuilder(list, io.grpc.InsecureChannelCredentials.create()).build();
    try {
      var runs =
          dev.fibperf.proto.v1.FibPerfServiceGrpc.newBlockingStub(direct)
              .listRuns(dev.fibperf.proto.v1.ListRunsRequest.getDefaultInstance());
      assertEquals(2, runs.getRecentCount(), runs.toString());
      Set<Integer> nums = new HashSet<>();
      for (dev.fibperf.proto.v1.RunInfo r : runs.getRecentList()) {
        assertEquals(dev.fibperf.proto.v1.RunMethod.RUN_METHOD_SERIAL, r.getMethod());
        assertEquals(dev.fibperf.proto.v1.RunState.RUN_STATE_SUCCEEDED, r.getState());
        assertEquals("127.0.0.1", r.getCoordinatorRun().getCoordinator());
        assertEquals(coordinatorRun, r.getCoordinatorRun().getRunId());
        nums.add(r.getNums(0));
      }
      assertEquals(Set.of(21, 22), nums);
    } finally {
      direct.shutdownNow();
    }
  }

  /**
   * A peer queues nothing, and its own limits hold for peer work: with its run slots taken, or
   * while an exclusive Compare holds its workers, a peer task is refused RESOURCE_EXHAUSTED (the
   * coordinator then goes elsewhere) and runs nowhere.
   */
  @Test
  void aPeersRunSlots_andAnExclusiveCompareOnIt_refusePeerTasks() throws Exception {
    String list = startPeers(1, true, c -> c.workers(2).maxConcurrentRuns(2));
    io.grpc.ManagedChannel direct =
        io.grpc.Grpc.newChannelBuilder(list, io.grpc.InsecureChannelCredentials.create()).build();
    try {
      var peer =
          dev.fibperf.proto.cluster.v1.PeerServiceGrpc.newBlockingStub(direct)
              .withCallCredentials(CLUSTER.callCredentials());
      var service = dev.fibperf.proto.v1.FibPerfServiceGrpc.newBlockingStub(direct);
      // An exclusive Compare on the peer itself: its warm-up holds the workers (gated).
      Iterator<CompareResponse> compare =
          service.compare(CompareRequest.newBuilder().setRounds(1).addNums(20).build());
      assertTrue(kernels.get(0).awaitStarted(1));

      StatusRuntimeException exclusive =
          assertThrows(StatusRuntimeException.class, () -> peer.compute(compute(20)));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, exclusive.getStatus().getCode());
      assertEquals(
          "peer full: an exclusive run (a Compare) holds or waits for the workers; try another",
          exclusive.getStatus().getDescription());

      // A second run of the peer's own takes its last slot (it queues behind the Compare).
      var serial = dev.fibperf.proto.v1.FibPerfServiceGrpc.newStub(direct);
      var serialDone = new java.util.concurrent.CompletableFuture<Void>();
      serial.serial(
          dev.fibperf.proto.v1.SerialRequest.newBuilder().addNums(20).build(),
          new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(dev.fibperf.proto.v1.SerialResponse value) {}

            @Override
            public void onError(Throwable t) {
              serialDone.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
              serialDone.complete(null);
            }
          });
      await("both slots taken")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  service
                          .listRuns(dev.fibperf.proto.v1.ListRunsRequest.getDefaultInstance())
                          .getInFlightCount()
                      == 2);
      StatusRuntimeException slots =
          assertThrows(StatusRuntimeException.class, () -> peer.compute(compute(20)));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, slots.getStatus().getCode());
      assertEquals(
          "peer full: concurrent runs at max 2 (--max-concurrent-runs); retry when a run"
              + " finishes; try another",
          slots.getStatus().getDescription());

      kernels.get(0).release(100);
      drain(compare);
      serialDone.get(30, TimeUnit.SECONDS);
      // Refused tasks ran nowhere: the peer ran its own two runs only.
      assertEquals(
          2,
          service
              .listRuns(dev.fibperf.proto.v1.ListRunsRequest.getDefaultInstance())
              .getRecentCount());
      // With the workers free again, the peer takes a task.
      assertEquals("20", peer.compute(compute(20)).getValue(), "the fake kernel's value");
    } finally {
      direct.shutdownNow();
    }
  }

  /**
   * A peer whose limits are lower than the coordinator's refuses the task, and would again: the
   * call fails FAILED_PRECONDITION naming the peer, the task and the peer's own reason (the
   * cluster's replicas disagree, not the caller's request is wrong).
   */
  @Test
  void aPeerWithLowerLimits_failsTheRun_namingThePeerAndItsReason() throws Exception {
    String list = startPeers(1, false, c -> c.maxNaiveN(20));
    startCoordinator(list);

    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> drain(coordinator.blocking.parallel(parallel(25))));

    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals(
        "cluster pool: peer "
            + list
            + " refused nums[0]=25: INVALID_ARGUMENT: n=25 exceeds this peer's max n 20 for NAIVE",
        e.getStatus().getDescription());
  }

  @Test
  void peerTargets_parseBothFormsAndNameABadEntry() throws Exception {
    assertEquals(
        List.of(new InetSocketAddress("127.0.0.1", 5), new InetSocketAddress("127.0.0.1", 6)),
        PeerTargets.parse("127.0.0.1:5, 127.0.0.1:6").resolve());
    assertEquals(
        List.of(new InetSocketAddress("127.0.0.1", 50051)),
        PeerTargets.parse("dns:///localhost:50051").resolve().stream()
            .filter(
                a -> a.getAddress().isLoopbackAddress() && a.getAddress().getAddress().length == 4)
            .collect(Collectors.toList()));
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> PeerTargets.parse("a:1,b"));
    assertEquals(
        "peers=a:1,b: entry 'b' is not host:port with a port in [1, 65535]", bad.getMessage());
  }

  /**
   * Whatever instant a caller leaves a cluster run at (before any task, with some started, with
   * some finished), no run is left on any replica and every peer worker comes back to the pool: the
   * next run gets all three at once. Seeded, so a failure replays.
   */
  @Test
  void cancellingAClusterRun_atAnyInstant_leavesNothingBehind_onAnyReplica() throws Exception {
    startCoordinator(startPeers(3, true));
    java.util.Random random = new java.util.Random(20261207);
    for (int round = 0; round < 20; round++) {
      int[] nums = new int[2 + random.nextInt(4)];
      java.util.Arrays.fill(nums, 10);
      java.util.concurrent.atomic.AtomicInteger started =
          new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.CompletableFuture<io.grpc.stub.ClientCallStreamObserver<?>> call =
          new java.util.concurrent.CompletableFuture<>();
      java.util.concurrent.CompletableFuture<Status> ended =
          new java.util.concurrent.CompletableFuture<>();
      coordinator.async.parallel(
          parallel(nums),
          new io.grpc.stub.ClientResponseObserver<ParallelRequest, ParallelResponse>() {
            @Override
            public void beforeStart(io.grpc.stub.ClientCallStreamObserver<ParallelRequest> c) {
              call.complete(c);
            }

            @Override
            public void onNext(ParallelResponse r) {
              if (r.hasTaskStarted()) {
                started.incrementAndGet();
              }
            }

            @Override
            public void onError(Throwable t) {
              ended.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
              ended.complete(Status.OK);
            }
          });
      int waitFor = random.nextInt(Math.min(nums.length, 3) + 1); // 0: leave at once
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> started.get() >= waitFor || ended.isDone());
      for (FakeKernel kernel : kernels) {
        kernel.release(random.nextInt(2)); // some tasks finish first, some never start
      }
      call.get().cancel("left at a random instant", null);
      Status status = ended.get(30, TimeUnit.SECONDS);
      assertTrue(
          status.isOk() || status.getCode() == Status.Code.CANCELLED,
          "round " + round + ": " + status);
    }

    await("no run left on any replica")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                coordinator.server.runs().inFlight().isEmpty()
                    && peers.stream().allMatch(p -> p.runs().inFlight().isEmpty()));
    // Every peer worker is free: three held tasks start on the three peers at once.
    List<Integer> before = kernels.stream().map(FakeKernel::started).toList();
    java.util.concurrent.CompletableFuture<List<ParallelResponse>> last =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> drain(coordinator.blocking.parallel(parallel(10, 10, 10))));
    await("a task on each of the three peers")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              for (int i = 0; i < kernels.size(); i++) {
                if (kernels.get(i).started() != before.get(i) + 1) {
                  return false;
                }
              }
              return true;
            });
    kernels.forEach(k -> k.release(1000));
    List<ParallelResponse> events = last.get(30, TimeUnit.SECONDS);
    assertEquals(3, events.get(events.size() - 1).getSummary().getResultsCount());
  }
}
