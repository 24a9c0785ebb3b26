package dev.fibperf.server.transport;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server's transport threads (Netty event loops), owned here rather than by gRPC so that work
 * can be put behind what a transport thread is doing now ({@link #afterCurrentRead()}).
 *
 * <p>Why: handlers run on these threads ({@code directExecutor}), and one read can carry a burst of
 * calls. If the first admitted call started its tasks at once, the workers would take both cores
 * while the same thread is still refusing the rest of the burst; put behind the read, the runs
 * start only after every call in it has been admitted or refused, and after gRPC's flush of that
 * read's responses (which it queues on the same thread first), so refusals are on the wire before
 * any admitted work is scheduled.
 *
 * <p>Epoll where the platform has it, NIO otherwise, as gRPC's own default; as many event loops as
 * Netty's default (twice the cores).
 */
public final class TransportThreads implements AutoCloseable {
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Class<? extends ServerChannel> channelType;

  private TransportThreads(
      EventLoopGroup boss, EventLoopGroup workers, Class<? extends ServerChannel> channelType) {
    this.boss = boss;
    this.workers = workers;
    this.channelType = channelType;
  }

  /** Event loops for {@code builder}, set on it; the caller closes them after the server ends. */
  public static TransportThreads install(NettyServerBuilder builder) {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    TransportThreads threads =
        new TransportThreads(
            new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("fibperf-accept", true), io),
            new MultiThreadIoEventLoopGroup(
                0, new DefaultThreadFactory("fibperf-transport", true), io),
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
    builder
        .bossEventLoopGroup(threads.boss)
        .workerEventLoopGroup(threads.workers)
        .channelType(threads.channelType);
    return threads;
  }

  /**
   * Runs a task, on a transport thread, after the read that thread is handling and the writes it
   * queued for it; on any other thread, at once.
   */
  public Executor afterCurrentRead() {
    return task -> {
      Executor loop = currentLoop();
      if (loop != null) {
        loop.execute(task); // queued behind gRPC's flush of this read's responses
      } else {
        task.run();
      }
    };
  }

  /**
   * The event loop running this thread, or null on any other thread. A call's handler runs on its
   * connection's loop, so this is where that call's writes are cheapest: gRPC flushes what a task
   * on the loop wrote once, after the task, instead of waking the loop for each message.
   */
  public ScheduledExecutorService currentLoop() {
    for (EventExecutor loop : workers) {
      if (loop.inEventLoop()) {
        return loop;
      }
    }
    return null;
  }

  /** Stops the event loops; for after the server has terminated. */
  @Override
  public void close() {
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    workers.terminationFuture().awaitUninterruptibly(5_000);
    boss.terminationFuture().awaitUninterruptibly(5_000);
  }
}
