package dev.fibperf.server.service;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real {@link FibServer} on an in-process transport, and a channel to it. */
final class InProcessFixture implements AutoCloseable {
  final FibServer server;
  final ManagedChannel channel;
  final FibPerfServiceGrpc.FibPerfServiceBlockingStub blocking;
  final FibPerfServiceGrpc.FibPerfServiceStub async;

  InProcessFixture(ServerConfig config) throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = new FibServer(InProcessServerBuilder.forName(name), config).start();
    channel = InProcessChannelBuilder.forName(name).build();
    blocking = FibPerfServiceGrpc.newBlockingStub(channel);
    async = FibPerfServiceGrpc.newStub(channel);
  }

  InProcessFixture() throws IOException {
    this(ServerConfig.newBuilder().workers(2).build());
  }

  static <T> List<T> drain(Iterator<T> stream) {
    List<T> out = new ArrayList<>();
    stream.forEachRemaining(out::add);
    return out;
  }

  /** Polls until no call is doing work, failing after {@code millis}. */
  void awaitIdle(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (server.service().activeRuns() > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(server.service().activeRuns() + " runs still active");
      }
      Thread.sleep(1);
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.stop();
  }
}
