package dev.fibperf.server.testing;

import static dev.fibperf.server.testing.Waits.await;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The one server fixture of the tests: a real {@link FibServer} on an in-process transport, and
 * stubs on a channel to it. Tests about plumbing hand in a {@link FakeKernel}.
 */
public final class InProcessFixture implements AutoCloseable {
  public final FibServer server;
  public final ManagedChannel channel;
  public final FibPerfServiceGrpc.FibPerfServiceBlockingStub blocking;
  public final FibPerfServiceGrpc.FibPerfServiceStub async;

  /**
   * @param parts adjusts the server's parts (kernel, registry) before it is built
   */
  public InProcessFixture(ServerConfig config, UnaryOperator<FibServer.Builder> parts)
      throws IOException {
    String name = InProcessServerBuilder.generateName();
    server =
        parts.apply(FibServer.newBuilder(InProcessServerBuilder.forName(name), config)).build();
    server.start();
    channel = InProcessChannelBuilder.forName(name).build();
    blocking = FibPerfServiceGrpc.newBlockingStub(channel);
    async = FibPerfServiceGrpc.newStub(channel);
  }

  public InProcessFixture(ServerConfig config) throws IOException {
    this(config, UnaryOperator.identity());
  }

  /**
   * Two workers, profiling off: no JFR warm-up burning a core at start. Tests about profiling pass
   * their own config.
   */
  public InProcessFixture() throws IOException {
    this(ServerConfig.newBuilder().workers(2).profilingEnabled(false).build());
  }

  public static <T> List<T> drain(Iterator<T> stream) {
    List<T> out = new ArrayList<>();
    stream.forEachRemaining(out::add);
    return out;
  }

  /** Waits until no call holds a run slot (its workers are free); fails after {@code atMost}. */
  public void awaitIdle(Duration atMost) {
    await("runs to end").atMost(atMost).until(() -> server.service().activeRuns() == 0);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.stop();
  }
}
