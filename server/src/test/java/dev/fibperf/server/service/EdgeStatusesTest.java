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
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Statuses that mean what they say, over a real socket (a reset stream and trailers differ only on
 * the wire): an expired deadline is DEADLINE_EXCEEDED sent by the server, not a reset the client
 * may read as CANCELLED; a call cut off by shutdown is UNAVAILABLE, which retry policies retry.
 */
class EdgeStatusesTest {
  @Test
  void anExpiredDeadline_getsTheServersDeadlineExceeded_andStopsTheRun() throws Exception {
    FakeKernel gated = FakeKernel.gated(); // never finishes unless cancelled
    FibServer server = server(gated, Duration.ofSeconds(30));
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
        // The server's trailers, not the client's own timer ("deadline exceeded after ...").
        assertEquals("deadline passed; run stopped", e.getStatus().getDescription());
        int run = i + 1;
        await("the run to stop").until(() -> gated.cancelled() == run);
      }
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
    return FibServer.newBuilder(
            Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()),
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
