package dev.fibperf.server.service;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.FakeKernel;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Statuses that mean what they say, over a real socket (a reset stream and trailers differ only on
 * the wire): an expired deadline is DEADLINE_EXCEEDED sent by the server, not a reset the client
 * may read as CANCELLED; a call cut off by shutdown is UNAVAILABLE, which retry policies retry.
 */
class EdgeStatusesTest {
  /**
   * What the server sends is read on the server (an interceptor sees the status it closes with), so
   * a loaded machine cannot make this race: the client's own timer may still fire before it reads
   * the trailers, and then it reports its own DEADLINE_EXCEEDED, which is also never CANCELLED.
   */
  @Test
  void anExpiredDeadline_getsTheServersDeadlineExceeded_andStopsTheRun() throws Exception {
    FakeKernel gated = FakeKernel.gated(); // never finishes unless cancelled
    List<Status> sent = new CopyOnWriteArrayList<>();
    FibServer server = server(gated, Duration.ofSeconds(30), sent);
    ManagedChannel channel = channel(server);
    try {
      for (int i = 0; i < 3; i++) {
        StatusRuntimeException e =
            assertThrows(
                StatusRuntimeException.class,
                () ->
                    drain(
                        FibPerfServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(2, TimeUnit.SECONDS)
                            .serial(SerialRequest.newBuilder().addNums(5).build())));

        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        int run = i + 1;
        await("the server's status").until(() -> sent.size() == run);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, sent.get(i).getCode());
        assertEquals("deadline passed; run stopped", sent.get(i).getDescription());
        await("the run to stop").until(() -> gated.cancelled() == run);
      }
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }

  /** A watch never ends by itself: with a deadline, the server ends it with DEADLINE_EXCEEDED. */
  @Test
  void aWatchsDeadline_endsItWithTheServersDeadlineExceeded() throws Exception {
    List<Status> sent = new CopyOnWriteArrayList<>();
    FibServer server = server(FakeKernel.instant(), Duration.ofSeconds(30), sent);
    ManagedChannel channel = channel(server);
    try {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  drain(
                      FibPerfServiceGrpc.newBlockingStub(channel)
                          .withDeadlineAfter(2, TimeUnit.SECONDS)
                          .watchRuns(dev.fibperf.proto.v1.WatchRunsRequest.getDefaultInstance())));

      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      await("the server's status").until(() -> sent.size() == 1);
      assertEquals(Status.Code.DEADLINE_EXCEEDED, sent.get(0).getCode());
      assertEquals("deadline passed; watch ended", sent.get(0).getDescription());
      await("the watch to go").until(() -> server.service().watchers() == 0);
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }

  @Test
  void theServerEndsACallATwentiethOfItsTimeEarly_within20To100Ms() {
    assertEquals(Duration.ofMillis(20), RpcCall.deadlineLead(Duration.ofMillis(100)));
    assertEquals(Duration.ofMillis(50), RpcCall.deadlineLead(Duration.ofSeconds(1)));
    assertEquals(Duration.ofMillis(100), RpcCall.deadlineLead(Duration.ofSeconds(2)));
    assertEquals(Duration.ofMillis(100), RpcCall.deadlineLead(Duration.ofMinutes(10)));
  }

  @Test
  void aCallCutOffByShutdown_getsUnavailable_namingTheGrace() throws Exception {
    FakeKernel gated = FakeKernel.gated();
    FibServer server = server(gated, Duration.ofMillis(300));
    ManagedChannel channel = channel(server);
    try {
      CompletableFuture<StatusRuntimeException> call =
          CompletableFuture.supplyAsync(
              () ->
                  assertThrows(
                      StatusRuntimeException.class,
                      () ->
                          drain(
                              FibPerfServiceGrpc.newBlockingStub(channel)
                                  .withDeadlineAfter(1, TimeUnit.MINUTES)
                                  .serial(SerialRequest.newBuilder().addNums(5).build()))));
      assertTrue(gated.awaitStarted(1));

      server.stop(); // the grace (300 ms) passes with the run still going

      Status status = call.get(30, TimeUnit.SECONDS).getStatus();
      assertEquals(Status.Code.UNAVAILABLE, status.getCode(), status.toString());
      assertEquals(
          "server shutting down: the run did not finish within the shutdown grace of PT0.3S;"
              + " retry on another instance",
          status.getDescription());
      assertEquals(1, gated.cancelled());
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }

  private static FibServer server(FakeKernel kernel, Duration grace) throws Exception {
    return server(kernel, grace, new CopyOnWriteArrayList<>());
  }

  /** A server that adds the status each call closes with to {@code sent}. */
  private static FibServer server(FakeKernel kernel, Duration grace, List<Status> sent)
      throws Exception {
    ServerInterceptor closes =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            return next.startCall(
                new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                  @Override
                  public void close(Status status, Metadata trailers) {
                    sent.add(status);
                    super.close(status, trailers);
                  }
                },
                headers);
          }
        };
    return FibServer.newBuilder(
            Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).intercept(closes),
            ServerConfig.newBuilder()
                .workers(1)
                .profilingEnabled(false)
                .shutdownGrace(grace)
                .build())
        .threadKernel(kernel)
        .build()
        .start();
  }

  private static ManagedChannel channel(FibServer server) {
    return Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
        .build();
  }
}
