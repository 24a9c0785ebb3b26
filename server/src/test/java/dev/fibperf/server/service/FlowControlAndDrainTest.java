package dev.fibperf.server.service;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.Algorithm;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.InProcessFixture;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FlowControlAndDrainTest {
  /** 1000 tiny tasks: a 2001-message stream that outgrows any buffer a reader leaves. */
  private static final ParallelRequest THOUSAND_TINY_TASKS =
      ParallelRequest.newBuilder()
          .addAllNums(Collections.nCopies(1000, 20))
          .setAlgorithm(Algorithm.ALGORITHM_ITERATIVE)
          .build();

  /** A reader that asks for {@code initial} messages, then nothing until {@link #readAll()}. */
  private static final class StalledReader
      implements ClientResponseObserver<ParallelRequest, ParallelResponse> {
    final List<ParallelResponse> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> ending = new CompletableFuture<>();
    private final CountDownLatch initialBatch;
    private final int initial;
    private volatile ClientCallStreamObserver<ParallelRequest> call;

    StalledReader(int initial) {
      this.initial = initial;
      this.initialBatch = new CountDownLatch(initial);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ParallelRequest> stream) {
      call = stream;
      stream.disableAutoRequestWithInitial(initial);
    }

    @Override
    public void onNext(ParallelResponse value) {
      received.add(value);
      initialBatch.countDown();
    }

    @Override
    public void onError(Throwable t) {
      ending.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ending.complete(Status.OK);
    }

    boolean awaitInitialBatch() throws InterruptedException {
      return initialBatch.await(10, TimeUnit.SECONDS);
    }

    void readAll() {
      call.request(Integer.MAX_VALUE);
    }
  }

  @Test
  void slowReader_ofA1000TaskStream_holdsBackWorkInsteadOfBuffering() throws Exception {
    try (InProcessFixture fx = new InProcessFixture()) {
      StalledReader reader = new StalledReader(10);
      fx.async.parallel(THOUSAND_TINY_TASKS, reader);
      assertTrue(reader.awaitInitialBatch());
      // The reader stalls. Unbounded buffering would run all 1000 tiny tasks meanwhile; held
      // back, the run stops at the stream's high-water mark and stays there.
      await("the run to stop at the high-water mark")
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(10))
          .until(() -> fx.server.service().activeRuns() == 1);

      Instant resumed = Instant.now();
      reader.readAll();
      assertEquals(Status.Code.OK, reader.ending.get(30, TimeUnit.SECONDS).getCode());
      List<ParallelResponse> received = reader.received;

      long startedAfterResume =
          received.stream()
              .filter(ParallelResponse::hasTaskStarted)
              .filter(e -> seconds(e.getTaskStarted().getStartTime()) > epochSeconds(resumed))
              .count();
      assertEquals(2001, received.size());
      assertTrue(
          startedAfterResume >= 900,
          "only " + startedAfterResume + " of 1000 tasks waited for the reader");
    }
  }

  @Test
  void aReaderThatTakesNothingForTheTimeout_hasItsRunStopped_andItsSlotFreed() throws Exception {
    try (InProcessFixture fx =
        new InProcessFixture(
            ServerConfig.newBuilder()
                .workers(2)
                .profilingEnabled(false)
                .maxConcurrentRuns(1)
                .stalledStreamTimeout(Duration.ofMillis(500))
                .build())) {
      StalledReader reader = new StalledReader(10);
      fx.async.parallel(THOUSAND_TINY_TASKS, reader);
      assertTrue(reader.awaitInitialBatch());

      // No deadline, no cancel: only the timeout can free the only slot.
      fx.awaitIdle(Duration.ofSeconds(30));
      drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(10).build())); // the slot is free

      reader.readAll();
      Status ended = reader.ending.get(30, TimeUnit.SECONDS);
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, ended.getCode(), ended.toString());
      assertEquals(
          "the reader took nothing for PT0.5S (--stalled-stream-timeout); run stopped",
          ended.getDescription());
      assertTrue(reader.received.size() < 2001, "stopped before the end");
    }
  }

  @Test
  void stop_drainsInFlightRuns_healthGoesNotServing_newCallsUnavailable() throws Exception {
    InProcessFixture fx =
        new InProcessFixture(
            ServerConfig.newBuilder()
                .workers(2)
                .profilingEnabled(false)
                .shutdownGrace(Duration.ofSeconds(20))
                .build());
    HealthGrpc.HealthStub health = HealthGrpc.newStub(fx.channel);
    List<ServingStatus> statuses = new CopyOnWriteArrayList<>();
    CountDownLatch serving = new CountDownLatch(1);
    CountDownLatch notServing = new CountDownLatch(1);
    health.watch(
        HealthCheckRequest.newBuilder().setService(FibPerfServiceGrpc.SERVICE_NAME).build(),
        new StreamObserver<HealthCheckResponse>() {
          @Override
          public void onNext(HealthCheckResponse value) {
            statuses.add(value.getStatus());
            if (value.getStatus() == ServingStatus.SERVING) {
              serving.countDown();
            }
            if (value.getStatus() == ServingStatus.NOT_SERVING) {
              notServing.countDown();
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    assertTrue(serving.await(5, TimeUnit.SECONDS), "the watch never saw SERVING");
    Iterator<ParallelResponse> inFlight =
        fx.blocking.parallel(ParallelRequest.newBuilder().addNums(39).addNums(39).build());
    assertTrue(inFlight.next().hasTaskStarted());

    Thread stopper = new Thread(() -> stopQuietly(fx));
    stopper.start();
    assertTrue(notServing.await(5, TimeUnit.SECONDS), "health never went NOT_SERVING");
    StatusRuntimeException rejected =
        assertThrows(
            StatusRuntimeException.class,
            () -> drain(fx.blocking.serial(SerialRequest.getDefaultInstance())));
    List<ParallelResponse> rest = drain(inFlight);
    stopper.join(10_000);

    assertEquals(List.of(ServingStatus.SERVING, ServingStatus.NOT_SERVING), statuses);
    assertEquals(Status.Code.UNAVAILABLE, rejected.getStatus().getCode());
    assertTrue(rest.get(rest.size() - 1).hasSummary(), "in-flight run finished with its summary");
    assertEquals(2, rest.get(rest.size() - 1).getSummary().getResultsCount());
    fx.close();
  }

  /**
   * Over a real socket, a call whose run has ended is not over until its last messages and status
   * reach the client. Here the client reads nothing until the drain has begun, so the stream's tail
   * waits in the server's HTTP/2 flow controller; a drain that stopped the transports as soon as
   * {@code onCompleted()} returned would reset it (RST_STREAM CANCEL) instead of delivering it.
   */
  @Test
  void stop_overNetty_waitsForTheStreamsTailToReachASlowReader() throws Exception {
    FibServer server =
        new FibServer(
                Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()),
                ServerConfig.newBuilder()
                    .workers(2)
                    .profilingEnabled(false)
                    .shutdownGrace(Duration.ofSeconds(20))
                    .build())
            .start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("localhost", server.port())
            .usePlaintext()
            .flowControlWindow(16 * 1024) // fixed and small: the stream outgrows it at once
            .build();
    StalledReader reader = new StalledReader(1);
    FibPerfServiceGrpc.newStub(channel).parallel(THOUSAND_TINY_TASKS, reader);
    assertTrue(reader.awaitInitialBatch(), "the first event never arrived");

    Thread stopper = new Thread(() -> stopQuietly(server));
    stopper.start();
    // The drain has begun once the stopper waits for the open call: resume the reader only then.
    await("the drain to wait for the call")
        .atMost(Duration.ofSeconds(10))
        .until(() -> stopper.getState() == Thread.State.TIMED_WAITING);
    reader.readAll();

    assertEquals(Status.Code.OK, reader.ending.get(20, TimeUnit.SECONDS).getCode());
    assertEquals(2001, reader.received.size());
    assertTrue(reader.received.get(2000).hasSummary());
    stopper.join(10_000);
    channel.shutdownNow();
  }

  @Test
  void stop_afterGracePeriod_cancelsRunsAndFreesWorkers() throws Exception {
    InProcessFixture fx =
        new InProcessFixture(
            ServerConfig.newBuilder()
                .workers(2)
                .profilingEnabled(false)
                .shutdownGrace(Duration.ofMillis(200))
                .build());
    Iterator<SerialResponse> inFlight =
        fx.blocking.serial(SerialRequest.newBuilder().addNums(50).build());
    assertTrue(inFlight.next().hasTaskStarted());

    fx.server.stop();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> drain(inFlight));

    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
    assertEquals(0, fx.server.service().activeRuns());
    fx.close();
  }

  @Test
  void reflection_v1AndV1alpha_listTheService() throws Exception {
    try (InProcessFixture fx = new InProcessFixture()) {
      List<String> v1 = new ArrayList<>();
      CountDownLatch v1Done = new CountDownLatch(1);
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(fx.channel)
              .serverReflectionInfo(
                  new StreamObserver<ServerReflectionResponse>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                      for (ServiceResponse s : value.getListServicesResponse().getServiceList()) {
                        v1.add(s.getName());
                      }
                    }

                    @Override
                    public void onError(Throwable t) {
                      v1Done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                      v1Done.countDown();
                    }
                  });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      requests.onCompleted();

      List<String> v1alpha = new ArrayList<>();
      CountDownLatch alphaDone = new CountDownLatch(1);
      StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> alphaRequests =
          io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(fx.channel)
              .serverReflectionInfo(
                  new StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionResponse>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1alpha.ServerReflectionResponse value) {
                      value
                          .getListServicesResponse()
                          .getServiceList()
                          .forEach(s -> v1alpha.add(s.getName()));
                    }

                    @Override
                    public void onError(Throwable t) {
                      alphaDone.countDown();
                    }

                    @Override
                    public void onCompleted() {
                      alphaDone.countDown();
                    }
                  });
      alphaRequests.onNext(
          io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
              .setListServices("")
              .build());
      alphaRequests.onCompleted();

      assertTrue(v1Done.await(5, TimeUnit.SECONDS) && alphaDone.await(5, TimeUnit.SECONDS));
      assertTrue(v1.contains(FibPerfServiceGrpc.SERVICE_NAME), v1.toString());
      assertTrue(v1alpha.contains(FibPerfServiceGrpc.SERVICE_NAME), v1alpha.toString());
      assertEquals(
          ServingStatus.SERVING,
          HealthGrpc.newBlockingStub(fx.channel)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus());
    }
  }

  private static void stopQuietly(InProcessFixture fx) {
    stopQuietly(fx.server);
  }

  private static void stopQuietly(FibServer server) {
    try {
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double seconds(com.google.protobuf.Timestamp t) {
    return t.getSeconds() + t.getNanos() / 1e9;
  }

  private static double epochSeconds(Instant i) {
    return i.getEpochSecond() + i.getNano() / 1e9;
  }
}
