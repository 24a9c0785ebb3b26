package dev.fibperf.server.service;

import static dev.fibperf.server.service.InProcessFixture.drain;
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
  @Test
  void slowReader_ofA1000TaskStream_holdsBackWorkInsteadOfBuffering() throws Exception {
    try (InProcessFixture fx = new InProcessFixture()) {
      List<ParallelResponse> received = new CopyOnWriteArrayList<>();
      CountDownLatch firstBatch = new CountDownLatch(10);
      CompletableFuture<Void> done = new CompletableFuture<>();
      ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
      fx.async.parallel(
          ParallelRequest.newBuilder()
              .addAllNums(Collections.nCopies(1000, 20))
              .setAlgorithm(Algorithm.ALGORITHM_ITERATIVE)
              .build(),
          new ClientResponseObserver<ParallelRequest, ParallelResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ParallelRequest> stream) {
              call[0] = stream;
              stream.disableAutoRequestWithInitial(10);
            }

            @Override
            public void onNext(ParallelResponse value) {
              received.add(value);
              firstBatch.countDown();
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
      assertTrue(firstBatch.await(5, TimeUnit.SECONDS));
      // The reader stalls. Unbounded buffering would run all 1000 tiny tasks in this time.
      Thread.sleep(300);

      Instant resumed = Instant.now();
      call[0].request(Integer.MAX_VALUE);
      done.get(30, TimeUnit.SECONDS);

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
  void stop_drainsInFlightRuns_healthGoesNotServing_newCallsUnavailable() throws Exception {
    InProcessFixture fx =
        new InProcessFixture(
            ServerConfig.newBuilder().workers(2).shutdownGrace(Duration.ofSeconds(20)).build());
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
                ServerConfig.newBuilder().workers(2).shutdownGrace(Duration.ofSeconds(20)).build())
            .start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("localhost", server.port())
            .usePlaintext()
            .flowControlWindow(16 * 1024) // fixed and small: the stream outgrows it at once
            .build();
    List<ParallelResponse> received = new CopyOnWriteArrayList<>();
    CompletableFuture<Status> ending = new CompletableFuture<>();
    ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
    FibPerfServiceGrpc.newStub(channel)
        .parallel(
            ParallelRequest.newBuilder()
                .addAllNums(Collections.nCopies(1000, 20))
                .setAlgorithm(Algorithm.ALGORITHM_ITERATIVE)
                .build(),
            new ClientResponseObserver<ParallelRequest, ParallelResponse>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<ParallelRequest> stream) {
                call[0] = stream;
                stream.disableAutoRequestWithInitial(1);
              }

              @Override
              public void onNext(ParallelResponse value) {
                received.add(value);
              }

              @Override
              public void onError(Throwable t) {
                ending.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                ending.complete(Status.OK);
              }
            });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (received.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertEquals(1, received.size(), "the first event never arrived");

    Thread stopper = new Thread(() -> stopQuietly(server));
    stopper.start();
    // Long enough for the 1000 tiny tasks to finish and the stream to end on the server side.
    Thread.sleep(500);
    call[0].request(Integer.MAX_VALUE);

    assertEquals(Status.Code.OK, ending.get(20, TimeUnit.SECONDS).getCode());
    assertEquals(2001, received.size());
    assertTrue(received.get(2000).hasSummary());
    stopper.join(10_000);
    channel.shutdownNow();
  }

  @Test
  void stop_afterGracePeriod_cancelsRunsAndFreesWorkers() throws Exception {
    InProcessFixture fx =
        new InProcessFixture(
            ServerConfig.newBuilder().workers(2).shutdownGrace(Duration.ofMillis(200)).build());
    Iterator<SerialResponse> inFlight =
        fx.blocking.serial(SerialRequest.newBuilder().addNums(50).build());
    assertTrue(inFlight.next().hasTaskStarted());

    long t0 = System.nanoTime();
    fx.server.stop();
    long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> drain(inFlight));

    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(stopMillis < 2_000, "stop took " + stopMillis + " ms");
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
