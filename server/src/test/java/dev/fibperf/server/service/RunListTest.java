package dev.fibperf.server.service;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.GetRunRequest;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.ListRunsResponse;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.RunMethod;
import dev.fibperf.proto.v1.RunState;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.proto.v1.WatchRunsRequest;
import dev.fibperf.proto.v1.WatchRunsResponse;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.FakeKernel;
import dev.fibperf.server.testing.InProcessFixture;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Run ids, ListRuns, GetRun and WatchRuns over a real server with a fake kernel. */
class RunListTest {
  private static InProcessFixture server(FakeKernel kernel, ServerConfig.Builder config)
      throws Exception {
    return new InProcessFixture(
        config.workers(2).profilingEnabled(false).build(), b -> b.threadKernel(kernel));
  }

  @Test
  void aRunsParallelism_isWhatItHad_notTheZeroItAskedFor() throws Exception {
    try (InProcessFixture fx = server(FakeKernel.instant(), ServerConfig.newBuilder())) {
      List<ParallelResponse> all =
          drain(fx.blocking.parallel(ParallelRequest.newBuilder().addNums(3).addNums(4).build()));
      List<ParallelResponse> one =
          drain(
              fx.blocking.parallel(
                  ParallelRequest.newBuilder().addNums(3).addNums(4).setParallelism(1).build()));
      List<CompareResponse> compare =
          drain(
              fx.blocking.compare(
                  CompareRequest.newBuilder().setRounds(1).addNums(3).addNums(4).build()));
      List<SerialResponse> serial =
          drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(3).build()));

      assertEquals(2, parallelismOf(fx, all.get(all.size() - 1).getSummary().getRunId()));
      assertEquals(1, parallelismOf(fx, one.get(one.size() - 1).getSummary().getRunId()));
      assertEquals(
          2, parallelismOf(fx, compare.get(compare.size() - 1).getComparison().getRunId()));
      assertEquals(1, parallelismOf(fx, serial.get(serial.size() - 1).getSummary().getRunId()));
    }
  }

  private static int parallelismOf(InProcessFixture fx, long runId) {
    RunInfo info = fx.blocking.getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun();
    // The list says the same as the run itself.
    RunInfo listed =
        fx.blocking.listRuns(ListRunsRequest.getDefaultInstance()).getRecentList().stream()
            .filter(r -> r.getRunId() == runId)
            .findFirst()
            .orElseThrow();
    assertEquals(info.getParallelism(), listed.getParallelism());
    return info.getParallelism();
  }

  @Test
  void everyRun_sendsItsIdInTheHeaders_andInItsFinalMessage() throws Exception {
    try (InProcessFixture fx = server(FakeKernel.instant(), ServerConfig.newBuilder())) {
      AtomicReference<Metadata> headers = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      List<SerialResponse> serial =
          drain(
              fx.blocking
                  .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                  .serial(SerialRequest.newBuilder().addNums(3).build()));
      List<CompareResponse> compare =
          drain(
              fx.blocking.compare(
                  CompareRequest.newBuilder().setRounds(1).addNums(3).addNums(4).build()));

      long id = serial.get(serial.size() - 1).getSummary().getRunId();
      assertTrue(id > 0);
      assertEquals(Long.toString(id), headers.get().get(RunIdHeader.KEY));
      Comparison c = compare.get(compare.size() - 1).getComparison();
      assertTrue(c.getRunId() > id);
      assertEquals(c.getRunId(), c.getSerial().getRunId());
      assertEquals(c.getRunId(), c.getParallel().getRunId());
    }
  }

  @Test
  void aRunThatWaitsForTheWorkers_namesItselfInItsHeaders_beforeAnyMessage() throws Exception {
    FakeKernel kernel = FakeKernel.gated();
    try (InProcessFixture fx = server(kernel, ServerConfig.newBuilder())) {
      // An exclusive Compare holds the workers (its warm-up waits at the gate).
      fx.async.compare(
          CompareRequest.newBuilder().setRounds(1).addNums(3).build(),
          new NoopObserver<CompareResponse>());
      assertTrue(kernel.awaitStarted(1));
      AtomicReference<Metadata> headers = new AtomicReference<>();
      List<SerialResponse> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.CompletableFuture<Void> done =
          new java.util.concurrent.CompletableFuture<>();
      fx.async
          .withInterceptors(
              MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
          .serial(
              SerialRequest.newBuilder().addNums(3).build(),
              new io.grpc.stub.StreamObserver<>() {
                @Override
                public void onNext(SerialResponse r) {
                  messages.add(r);
                }

                @Override
                public void onError(Throwable t) {
                  done.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                  done.complete(null);
                }
              });

      org.awaitility.Awaitility.await("the waiting run's headers")
          .atMost(java.time.Duration.ofSeconds(30))
          .until(() -> headers.get() != null);
      assertEquals(List.of(), messages, "nothing but the headers while it waits");
      String id = headers.get().get(RunIdHeader.KEY);
      kernel.release(100);
      done.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(id, Long.toString(messages.get(messages.size() - 1).getSummary().getRunId()));
    }
  }

  /** Ignores a stream; for calls a test only needs running. */
  private static final class NoopObserver<T> implements io.grpc.stub.StreamObserver<T> {
    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  @Test
  void listRuns_showsRunsInFlightWithProgress_andRecentOnesWithResults() throws Exception {
    FakeKernel gated = FakeKernel.gated();
    try (InProcessFixture fx = server(gated, ServerConfig.newBuilder().recentRuns(2))) {
      for (int i = 0; i < 3; i++) {
        gated.release(1);
        drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(10 + i).build()));
      }
      Iterator<SerialResponse> inFlight =
          fx.blocking.serial(SerialRequest.newBuilder().addNums(1).addNums(2).build());
      gated.release(1);
      assertTrue(inFlight.next().hasTaskStarted());
      await("a task done").until(() -> inFlightNow(fx).getTasksDone() == 1);

      ListRunsResponse list = fx.blocking.listRuns(ListRunsRequest.getDefaultInstance());
      RunInfo running = list.getInFlight(0);
      assertEquals(RunState.RUN_STATE_RUNNING, running.getState());
      assertEquals(RunMethod.RUN_METHOD_SERIAL, running.getMethod());
      assertEquals(List.of(1, 2), running.getNumsList());
      assertEquals(2, running.getTasksTotal());
      assertEquals(2, list.getRecentCount(), "only --recent-runs 2 kept");
      assertEquals(List.of(12), list.getRecent(0).getNumsList(), "most recent first");
      assertEquals(RunState.RUN_STATE_SUCCEEDED, list.getRecent(0).getState());
      assertEquals(0, list.getRecent(0).getSummary().getResultsCount(), "a list has no results");
      assertEquals(
          "12",
          fx.blocking
              .getRun(GetRunRequest.newBuilder().setRunId(list.getRecent(0).getRunId()).build())
              .getRun()
              .getSummary()
              .getResults(0)
              .getValue(),
          "GetRun has them");

      StatusRuntimeException gone =
          assertThrows(
              StatusRuntimeException.class,
              () -> fx.blocking.getRun(GetRunRequest.newBuilder().setRunId(1).build()));
      assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
      assertEquals(
          "run_id=1 is neither in flight nor among the last 2 finished (--recent-runs; the run history is off)",
          gone.getStatus().getDescription());
      gated.release(10);
      drain(inFlight);
      RunInfo done =
          fx.blocking
              .getRun(GetRunRequest.newBuilder().setRunId(running.getRunId()).build())
              .getRun();
      assertEquals(RunState.RUN_STATE_SUCCEEDED, done.getState());
      assertEquals(2, done.getTasksDone());
    }
  }

  private static RunInfo inFlightNow(InProcessFixture fx) {
    return fx.blocking.listRuns(ListRunsRequest.getDefaultInstance()).getInFlight(0);
  }

  @Test
  void watchRuns_seesRunsInFlight_thenEveryRunsLifecycleInOrder() throws Exception {
    FakeKernel gated = FakeKernel.gated();
    try (InProcessFixture fx = server(gated, ServerConfig.newBuilder())) {
      Iterator<SerialResponse> already =
          fx.blocking.serial(SerialRequest.newBuilder().addNums(5).build());
      assertTrue(gated.awaitStarted(1));
      List<WatchRunsResponse> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      CompletableFuture<Void> watching = watch(fx, WatchRunsRequest.getDefaultInstance(), seen);
      await("the snapshot").until(() -> !seen.isEmpty());

      gated.release(1);
      drain(already);
      gated.release(1);
      List<SerialResponse> next =
          drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(6).build()));
      long nextId = next.get(next.size() - 1).getSummary().getRunId();
      await("the second run's end")
          .until(() -> seen.stream().anyMatch(m -> m.hasFinished() && m.getRunId() == nextId));

      assertTrue(seen.get(0).hasInFlight(), seen.toString());
      assertEquals(List.of(5), seen.get(0).getInFlight().getNumsList());
      List<String> second = new ArrayList<>();
      for (WatchRunsResponse m : seen) {
        if (m.getRunId() == nextId) {
          second.add(m.getEventCase().name());
        }
      }
      assertEquals(
          List.of("ACCEPTED", "TASK_STARTED", "TASK_FINISHED", "PHASE_COMPLETED", "FINISHED"),
          second);
      WatchRunsResponse finished = seen.get(seen.size() - 1);
      assertEquals(RunState.RUN_STATE_SUCCEEDED, finished.getFinished().getState());
      assertEquals("6", finished.getFinished().getSummary().getResults(0).getValue());
      watching.cancel(true);
    }
  }

  @Test
  void watchMessages_areWrittenOffTheWorkerThreads() throws Exception {
    String name = InProcessServerBuilder.generateName();
    WatchWriters threads =
        watchWriters(
            InProcessServerBuilder.forName(name), server -> InProcessChannelBuilder.forName(name));

    // The tasks' events happen on the workers; the network writes must not (WatchDelivery). With
    // no transport threads (in-process), the delivery thread writes the batches.
    assertTrue(threads.writers().contains("fibperf-watch-delivery"), threads.toString());
  }

  @Test
  void onARealSocket_watchMessagesAreWrittenOnTheThreadServingTheirCall() throws Exception {
    WatchWriters threads =
        watchWriters(
            NettyServerBuilder.forPort(0),
            server ->
                Grpc.newChannelBuilder(
                    "127.0.0.1:" + server.port(), InsecureChannelCredentials.create()));

    // Each batch is written by a task on the call's own event loop (one flush per batch), not by
    // the delivery thread (a wake-up of the loop per message).
    assertEquals(1, threads.starters().size(), threads.toString());
    assertTrue(threads.starters().iterator().next().startsWith("fibperf-transport-"));
    assertEquals(threads.starters(), threads.writers(), threads.toString());
  }

  /** The threads that started a WatchRuns call and those that wrote its messages. */
  private record WatchWriters(Set<String> starters, Set<String> writers) {}

  /** Watches three Serials on a server built from {@code transport}; names the threads involved. */
  private static WatchWriters watchWriters(
      ServerBuilder<?> transport, Function<FibServer, ManagedChannelBuilder<?>> channelTo)
      throws Exception {
    Set<String> starters = ConcurrentHashMap.newKeySet();
    Set<String> writers = ConcurrentHashMap.newKeySet();
    ServerInterceptor recordThreads =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            if (!call.getMethodDescriptor().getBareMethodName().equals("WatchRuns")) {
              return next.startCall(call, headers);
            }
            starters.add(Thread.currentThread().getName());
            return next.startCall(
                new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                  @Override
                  public void sendMessage(R message) {
                    writers.add(Thread.currentThread().getName());
                    super.sendMessage(message);
                  }
                },
                headers);
          }
        };
    FibServer server =
        FibServer.newBuilder(
                transport.intercept(recordThreads),
                ServerConfig.newBuilder().workers(2).profilingEnabled(false).build())
            .threadKernel(FakeKernel.instant())
            .build()
            .start();
    ManagedChannel channel = channelTo.apply(server).build();
    try {
      List<WatchRunsResponse> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      FibPerfServiceGrpc.FibPerfServiceStub async = FibPerfServiceGrpc.newStub(channel);
      FibPerfServiceGrpc.FibPerfServiceBlockingStub blocking =
          FibPerfServiceGrpc.newBlockingStub(channel);
      CompletableFuture<Void> watching = watch(async, WatchRunsRequest.getDefaultInstance(), seen);
      await("the watch to begin").until(() -> !starters.isEmpty());
      long lastId = 0;
      for (int i = 0; i < 3; i++) {
        List<SerialResponse> run =
            drain(blocking.serial(SerialRequest.newBuilder().addNums(5).addNums(6).build()));
        lastId = run.get(run.size() - 1).getSummary().getRunId();
      }
      long id = lastId;
      await("the last run's end")
          .until(() -> seen.stream().anyMatch(m -> m.hasFinished() && m.getRunId() == id));
      watching.cancel(true);
      assertTrue(
          writers.stream().noneMatch(n -> n.startsWith("fibperf-worker")), writers.toString());
      return new WatchWriters(Set.copyOf(starters), Set.copyOf(writers));
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }

  @Test
  void aWatchOfOneRun_endsWithIt_andAMethodFilterKeepsOthersOut() throws Exception {
    try (InProcessFixture fx = server(FakeKernel.instant(), ServerConfig.newBuilder())) {
      List<SerialResponse> done =
          drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(4).build()));
      long id = done.get(done.size() - 1).getSummary().getRunId();

      List<WatchRunsResponse> one =
          drain(fx.blocking.watchRuns(WatchRunsRequest.newBuilder().setRunId(id).build()));

      assertEquals(1, one.size(), "an ended run: its final state, then the end");
      assertEquals(RunState.RUN_STATE_SUCCEEDED, one.get(0).getFinished().getState());

      List<WatchRunsResponse> compares = new java.util.concurrent.CopyOnWriteArrayList<>();
      CompletableFuture<Void> watching =
          watch(
              fx,
              WatchRunsRequest.newBuilder().setMethod(RunMethod.RUN_METHOD_COMPARE).build(),
              compares);
      drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(4).build()));
      drain(fx.blocking.compare(CompareRequest.newBuilder().setRounds(1).addNums(4).build()));
      await("the Compare's end")
          .until(() -> compares.stream().anyMatch(WatchRunsResponse::hasFinished));
      assertTrue(
          compares.stream().allMatch(m -> m.getMethod() == RunMethod.RUN_METHOD_COMPARE),
          compares.toString());
      watching.cancel(true);
    }
  }

  @Test
  void aWatcherThatDoesNotRead_losesEvents_isToldHowMany_andSlowsNoRun() throws Exception {
    try (InProcessFixture fx = server(FakeKernel.instant(), ServerConfig.newBuilder())) {
      List<WatchRunsResponse> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      AtomicReference<ClientCallStreamObserver<WatchRunsRequest>> call = new AtomicReference<>();
      fx.async.watchRuns(
          WatchRunsRequest.getDefaultInstance(),
          new ClientResponseObserver<WatchRunsRequest, WatchRunsResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRunsRequest> requestStream) {
              requestStream.disableAutoRequestWithInitial(0); // read nothing yet
              call.set(requestStream);
            }

            @Override
            public void onNext(WatchRunsResponse value) {
              seen.add(value);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          });
      await("the watch").until(() -> fx.server.service().watchers() == 1);

      // 400 tasks: about 1,200 events, far past the watcher's buffer of 256.
      ParallelRequest many =
          ParallelRequest.newBuilder().addAllNums(Collections.nCopies(400, 1)).build();
      List<dev.fibperf.proto.v1.ParallelResponse> run = drain(fx.blocking.parallel(many));
      assertTrue(run.get(run.size() - 1).hasSummary(), "the run finished without its watcher");

      call.get().request(Integer.MAX_VALUE);
      // Told once the reader catches up, with no further event to carry it (the runs are over);
      // a run after that still reaches the watcher.
      await("the count").until(() -> seen.stream().anyMatch(m -> m.getDroppedEvents() > 0));
      List<dev.fibperf.proto.v1.SerialResponse> after =
          drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(1).build()));
      long afterId = after.get(after.size() - 1).getSummary().getRunId();
      await("the run after the loss")
          .until(() -> seen.stream().anyMatch(m -> m.hasFinished() && m.getRunId() == afterId));
      long dropped = seen.stream().mapToLong(WatchRunsResponse::getDroppedEvents).sum();
      long delivered = seen.stream().filter(m -> m.getDroppedEvents() == 0).count();
      assertTrue(
          dropped > 0 && delivered <= RunWatch.BUFFER + 8,
          "dropped " + dropped + ", delivered " + delivered);
      call.get().cancel("done", null);
    }
  }

  @Test
  void watchersBeyondTheLimit_getResourceExhausted_namingTheFlag() throws Exception {
    try (InProcessFixture fx =
        server(FakeKernel.instant(), ServerConfig.newBuilder().maxWatchers(1))) {
      CompletableFuture<Void> first =
          watch(fx, WatchRunsRequest.getDefaultInstance(), new ArrayList<>());
      await("the first watch").until(() -> fx.server.service().watchers() == 1);

      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class,
              () -> drain(fx.blocking.watchRuns(WatchRunsRequest.getDefaultInstance())));

      assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
      assertEquals(
          "watchers at max 1 (--max-watchers); retry when one disconnects",
          refused.getStatus().getDescription());
      first.cancel(true);
      await("the slot freed").until(() -> fx.server.service().watchers() == 0);
    }
  }

  @Test
  void aDrain_endsWatchesWithUnavailable_andRefusesNewOnes() throws Exception {
    try (InProcessFixture fx = server(FakeKernel.instant(), ServerConfig.newBuilder())) {
      CompletableFuture<Void> watching =
          watch(fx, WatchRunsRequest.getDefaultInstance(), new ArrayList<>());
      await("the watch").until(() -> fx.server.service().watchers() == 1);

      fx.server.service().startDraining();

      Throwable ended =
          assertThrows(Exception.class, () -> watching.get(10, TimeUnit.SECONDS)).getCause();
      assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(ended).getCode());
      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class,
              () -> drain(fx.blocking.watchRuns(WatchRunsRequest.getDefaultInstance())));
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    }
  }

  /** Watches on the async stub into {@code into}; cancelling the future cancels the call. */
  private static CompletableFuture<Void> watch(
      InProcessFixture fx, WatchRunsRequest request, List<WatchRunsResponse> into) {
    return watch(fx.async, request, into);
  }

  private static CompletableFuture<Void> watch(
      FibPerfServiceGrpc.FibPerfServiceStub async,
      WatchRunsRequest request,
      List<WatchRunsResponse> into) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
    done.whenComplete((v, e) -> context.cancel(null));
    context.run(
        () ->
            async.watchRuns(
                request,
                new io.grpc.stub.StreamObserver<>() {
                  @Override
                  public void onNext(WatchRunsResponse value) {
                    into.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                }));
    return done;
  }
}
