package dev.fibperf.bench;

import dev.fibperf.proto.worker.v1.Kernel;
import dev.fibperf.proto.worker.v1.RunTask;
import dev.fibperf.proto.worker.v1.TaskDone;
import dev.fibperf.proto.worker.v1.WorkerReply;
import dev.fibperf.proto.worker.v1.WorkerRequest;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The process pool's hand-off, per task, over its two candidate transports, side by side: the pipe
 * fibperf uses (length-delimited protobuf on a real {@code WorkerMain}'s stdin/stdout) against a
 * private gRPC channel over a Unix domain socket (Netty epoll, a unary call per task carrying the
 * same {@code fibperf.worker.v1} messages, computed inline in the worker). Each task is fib(1), so
 * the figure is the hand-off alone. Rounds alternate the two; prints medians and ranges.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.WorkerTransportComparison [rounds] [tasks]
 * </pre>
 */
public final class WorkerTransportComparison {
  private WorkerTransportComparison() {}

  static final MethodDescriptor<WorkerRequest, WorkerReply> RUN =
      MethodDescriptor.<WorkerRequest, WorkerReply>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("fibperf.worker.v1.Worker/Run")
          .setRequestMarshaller(ProtoUtils.marshaller(WorkerRequest.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(WorkerReply.getDefaultInstance()))
          .build();

  private static WorkerRequest task(long id) {
    return WorkerRequest.newBuilder()
        .setRequestId(id)
        .setRun(RunTask.newBuilder().setN(1).setKernel(Kernel.KERNEL_NAIVE))
        .build();
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int tasks = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    Path socket = Files.createTempDirectory("fibperf-uds").resolve("worker.sock");

    Process pipeWorker =
        new ProcessBuilder(
                java, "-XX:+UseSerialGC", "-cp", cp, "dev.fibperf.server.worker.WorkerMain")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Process udsWorker =
        new ProcessBuilder(
                java, "-XX:+UseSerialGC", "-cp", cp, UdsWorker.class.getName(), socket.toString())
            .inheritIO()
            .start();
    OutputStream toPipe = new BufferedOutputStream(pipeWorker.getOutputStream());
    InputStream fromPipe = new BufferedInputStream(pipeWorker.getInputStream());
    if (!WorkerReply.parseDelimitedFrom(fromPipe).getReady()) {
      throw new IllegalStateException("pipe worker did not say ready");
    }
    for (int i = 0; i < 300 && !Files.exists(socket); i++) {
      Thread.sleep(10); // the UDS worker's JVM is starting; a harness, not a test
    }
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build();
    try {
      long[] id = {1};
      Runnable pipeTask =
          () -> {
            try {
              task(id[0]++).writeDelimitedTo(toPipe);
              toPipe.flush();
              WorkerReply reply = WorkerReply.parseDelimitedFrom(fromPipe);
              if (!reply.hasDone()) {
                throw new IllegalStateException("pipe worker: " + reply);
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          };
      Runnable udsTask =
          () -> {
            WorkerReply reply =
                ClientCalls.blockingUnaryCall(
                    channel, RUN, io.grpc.CallOptions.DEFAULT, task(id[0]++));
            if (!reply.hasDone()) {
              throw new IllegalStateException("uds worker: " + reply);
            }
          };
      // Warm both paths' JIT (in this JVM and both workers) until the figures settle; with one
      // pass, both were still falling by half over the counted rounds. Not counted.
      for (int i = 0; i < 10; i++) {
        perTaskMicros(pipeTask, tasks);
        perTaskMicros(udsTask, tasks);
      }
      List<Double> pipe = new ArrayList<>();
      List<Double> uds = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        boolean pipeFirst = r % 2 == 0;
        double first = perTaskMicros(pipeFirst ? pipeTask : udsTask, tasks);
        double second = perTaskMicros(pipeFirst ? udsTask : pipeTask, tasks);
        pipe.add(pipeFirst ? first : second);
        uds.add(pipeFirst ? second : first);
        System.out.printf(
            Locale.ROOT,
            "round %2d  pipe %6.1f us/task   gRPC over UDS %6.1f us/task%n",
            r + 1,
            pipe.get(r),
            uds.get(r));
      }
      System.out.printf(
          Locale.ROOT,
          "median of %d rounds x %d tasks: pipe %.1f us (%.1f-%.1f), gRPC/UDS %.1f us (%.1f-%.1f),"
              + " UDS/pipe %.2fx%n",
          rounds,
          tasks,
          ProfileOverhead.median(pipe),
          Collections.min(pipe),
          Collections.max(pipe),
          ProfileOverhead.median(uds),
          Collections.min(uds),
          Collections.max(uds),
          ProfileOverhead.median(uds) / ProfileOverhead.median(pipe));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      group.shutdownGracefully();
      toPipe.close();
      pipeWorker.destroy();
      udsWorker.destroy();
    }
  }

  private static double perTaskMicros(Runnable task, int tasks) {
    long t0 = System.nanoTime();
    for (int i = 0; i < tasks; i++) {
      task.run();
    }
    return (System.nanoTime() - t0) / 1e3 / tasks;
  }

  /** The gRPC-over-UDS candidate: a worker JVM serving one unary method on a domain socket. */
  public static final class UdsWorker {
    private UdsWorker() {}

    public static void main(String[] args) throws Exception {
      EpollEventLoopGroup boss = new EpollEventLoopGroup(1);
      EpollEventLoopGroup workers = new EpollEventLoopGroup(1);
      ServerServiceDefinition service =
          ServerServiceDefinition.builder("fibperf.worker.v1.Worker")
              .addMethod(
                  RUN,
                  ServerCalls.asyncUnaryCall(
                      (request, observer) -> {
                        long t0 = System.nanoTime();
                        String value =
                            Algorithm.NAIVE
                                .compute(request.getRun().getN(), CancellationToken.NONE)
                                .toString();
                        observer.onNext(
                            WorkerReply.newBuilder()
                                .setRequestId(request.getRequestId())
                                .setDone(
                                    TaskDone.newBuilder()
                                        .setValue(value)
                                        .setComputeNanos(System.nanoTime() - t0))
                                .build());
                        observer.onCompleted();
                      }))
              .build();
      Server server =
          NettyServerBuilder.forAddress(new DomainSocketAddress(args[0]))
              .bossEventLoopGroup(boss)
              .workerEventLoopGroup(workers)
              .channelType(EpollServerDomainSocketChannel.class)
              .directExecutor() // like the pipe worker: no extra thread hop per task
              .addService(service)
              .build()
              .start();
      server.awaitTermination();
    }
  }
}
