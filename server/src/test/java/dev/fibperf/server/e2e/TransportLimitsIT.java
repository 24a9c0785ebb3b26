package dev.fibperf.server.e2e;

import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.server.testing.ServerProcess;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar's connection limits, one flag at a time, each shown by what a client sees: a
 * stream over the per-connection limit waits, a rapid-reset client loses its connection, a peer
 * that stops answering pings or never finishes its handshake is closed, and an oversized message or
 * header is refused.
 */
class TransportLimitsIT {
  private static final SerialRequest LONG = SerialRequest.newBuilder().addNums(46).build();

  @Test
  void aStreamOverTheConnectionsLimit_waitsForOneToEnd() throws Exception {
    try (ServerProcess server =
        new ServerProcess(
            "--max-calls-per-connection=2", "--max-concurrent-runs=8", "--no-profiling")) {
      ManagedChannel calls = channel(server);
      ManagedChannel observer = channel(server);
      try {
        List<CompletableFuture<Void>> running = new ArrayList<>();
        List<io.grpc.Context.CancellableContext> contexts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
          contexts.add(context);
          running.add(start(calls, context));
        }
        var list = FibPerfServiceGrpc.newBlockingStub(observer);
        await("two runs in flight")
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> list.listRuns(ListRunsRequest.getDefaultInstance()).getInFlightCount() == 2);
        Thread.sleep(500); // the third stays queued on the client: the server never saw it
        assertEquals(2, list.listRuns(ListRunsRequest.getDefaultInstance()).getInFlightCount());

        contexts.get(0).cancel(null);

        await("the third call's run")
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    list.listRuns(ListRunsRequest.getDefaultInstance()).getInFlightList().stream()
                            .map(r -> r.getRunId())
                            .max(Long::compare)
                            .orElse(0L)
                        == 3L);
        contexts.forEach(c -> c.cancel(null));
      } finally {
        calls.shutdownNow();
        observer.shutdownNow();
      }
    }
  }

  @Test
  void aClientResettingStreamsFasterThanAllowed_losesItsConnection() throws Exception {
    for (boolean limited : new boolean[] {false, true}) {
      try (ServerProcess server =
          limited
              ? new ServerProcess("--max-rst-per-window=20", "--rst-window=1s", "--no-profiling")
              : new ServerProcess("--no-profiling")) {
        ManagedChannel channel = channel(server);
        try {
          io.grpc.Context.CancellableContext longCall =
              io.grpc.Context.current().withCancellation();
          CompletableFuture<Void> victim = start(channel, longCall);
          ManagedChannel observer = channel(server);
          await("the long run")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () ->
                      FibPerfServiceGrpc.newBlockingStub(observer)
                              .listRuns(ListRunsRequest.getDefaultInstance())
                              .getInFlightCount()
                          == 1);
          observer.shutdownNow();
          for (int i = 0; i < 100; i++) { // 100 streams opened and reset at once
            ClientCall<SerialRequest, SerialResponse> call =
                channel.newCall(FibPerfServiceGrpc.getSerialMethod(), CallOptions.DEFAULT);
            call.start(new ClientCall.Listener<>() {}, new Metadata());
            call.sendMessage(LONG);
            call.cancel("reset", null);
          }
          if (limited) {
            Throwable e =
                assertThrows(
                        java.util.concurrent.ExecutionException.class,
                        () -> victim.get(60, java.util.concurrent.TimeUnit.SECONDS))
                    .getCause();
            // grpc-java reads GOAWAY ENHANCE_YOUR_CALM as RESOURCE_EXHAUSTED. But the server
            // closes the connection right after it, with the flood's frames still unread, so the
            // close is a TCP reset, which can overtake the GOAWAY and drop it unread: then the
            // client sees the connection reset, UNAVAILABLE (seen on a busy machine, with this
            // build and the one before). The unlimited server below keeps the same call alive,
            // so either way the cut is the limit's doing.
            Status.Code code = Status.fromThrowable(e).getCode();
            assertTrue(
                code == Status.Code.RESOURCE_EXHAUSTED
                        && e.getMessage().contains("too_many_rststreams")
                    || code == Status.Code.UNAVAILABLE,
                e.toString());
            // Only that connection was cut: the server serves a new one, and the victim's run
            // was stopped with it.
            ManagedChannel after = channel(server);
            try {
              await("the victim's run stopped")
                  .atMost(Duration.ofSeconds(30))
                  .until(
                      () ->
                          FibPerfServiceGrpc.newBlockingStub(after)
                                  .listRuns(ListRunsRequest.getDefaultInstance())
                                  .getInFlightCount()
                              == 0);
              FibPerfServiceGrpc.newBlockingStub(after)
                  .serial(SerialRequest.newBuilder().addNums(20).build())
                  .forEachRemaining(r -> {});
            } finally {
              after.shutdownNow();
            }
          } else {
            // A call after the flood, on the same connection, answered: the server has read every
            // reset before it (a connection's frames are read in order) and kept the connection.
            FibPerfServiceGrpc.newBlockingStub(channel)
                .listRuns(ListRunsRequest.getDefaultInstance());
            assertTrue(!victim.isDone(), "within gRPC's default the long call goes on");
          }
          longCall.cancel(null);
        } finally {
          channel.shutdownNow();
        }
      }
    }
  }

  @Test
  void aPeerThatStopsAnsweringPings_isClosed() throws Exception {
    try (ServerProcess server =
            new ServerProcess("--keepalive-time=1s", "--keepalive-timeout=1s", "--no-profiling");
        Socket peer = new Socket("127.0.0.1", server.port)) {
      // The HTTP/2 preface and an empty SETTINGS frame; then silence, never a PING ack.
      peer.getOutputStream()
          .write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      peer.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
      peer.getOutputStream().flush();
      peer.setSoTimeout(30_000);

      assertTrue(readsUntilClosed(peer.getInputStream()), "closed by the server");
    }
  }

  @Test
  void aConnectionThatNeverFinishesItsHandshake_isClosed() throws Exception {
    try (ServerProcess server = new ServerProcess("--handshake-timeout=1s", "--no-profiling");
        Socket peer = new Socket("127.0.0.1", server.port)) {
      peer.setSoTimeout(30_000); // sends nothing at all

      assertTrue(readsUntilClosed(peer.getInputStream()), "closed by the server");
    }
  }

  @Test
  void anOversizedMessageOrHeader_isRefused() throws Exception {
    try (ServerProcess server =
        new ServerProcess(
            "--max-inbound-message-bytes=1024",
            "--max-inbound-metadata-bytes=2048",
            "--no-profiling")) {
      ManagedChannel channel = channel(server);
      try {
        var stub = FibPerfServiceGrpc.newBlockingStub(channel);
        SerialRequest big =
            SerialRequest.newBuilder().addAllNums(Collections.nCopies(600, 300)).build(); // 1.2 KB
        StatusRuntimeException message =
            assertThrows(
                StatusRuntimeException.class, () -> stub.serial(big).forEachRemaining(r -> {}));
        Metadata headers = new Metadata();
        headers.put(
            Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "x".repeat(4096));
        StatusRuntimeException header =
            assertThrows(
                StatusRuntimeException.class,
                () ->
                    stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                        .serial(SerialRequest.newBuilder().addNums(20).build())
                        .forEachRemaining(r -> {}));
        SerialRequest fits =
            SerialRequest.newBuilder().addAllNums(Collections.nCopies(200, 20)).build();

        assertEquals(
            Status.Code.RESOURCE_EXHAUSTED, message.getStatus().getCode(), message.toString());
        assertTrue(
            header.getStatus().getCode() == Status.Code.INTERNAL
                || header.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED,
            header.toString());
        stub.serial(fits).forEachRemaining(r -> {}); // under both limits: served
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static boolean readsUntilClosed(InputStream in) throws Exception {
    byte[] buffer = new byte[4096];
    try {
      while (in.read(buffer) >= 0) {
        // the server's SETTINGS, PINGs and GOAWAY: read and ignored
      }
      return true;
    } catch (java.net.SocketException reset) {
      return true; // closed with a reset
    }
  }

  private static CompletableFuture<Void> start(
      ManagedChannel channel, io.grpc.Context.CancellableContext context) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.run(
        () ->
            FibPerfServiceGrpc.newStub(channel)
                .serial(
                    LONG,
                    new StreamObserver<>() {
                      @Override
                      public void onNext(SerialResponse value) {}

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

  private static ManagedChannel channel(ServerProcess server) {
    return Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
  }
}
