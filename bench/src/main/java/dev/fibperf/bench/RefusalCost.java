package dev.fibperf.bench;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.PoolKind;
import dev.fibperf.proto.v1.SerialRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What a refused call costs the server. One run holds the only run slot ({@code
 * --max-concurrent-runs 1}), computing in a worker process, so the server JVM itself is all but
 * idle; then {@code calls} Serial calls in a row are refused with RESOURCE_EXHAUSTED, and the
 * server process's CPU time (from the OS) is divided among them. The same number of health checks,
 * measured the same way, is the floor: what any gRPC round trip costs this server. Then a burst: 16
 * calls at once from one thread against {@code --max-concurrent-runs 4}: when the refusals arrive
 * against the admitted calls' first messages.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.RefusalCost [calls] [rounds]
 * </pre>
 */
public final class RefusalCost {
  private RefusalCost() {}

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    try (ServerJvm server =
        ServerJvm.start(
            "--max-concurrent-runs", "1", "--no-profiling", "--max-naive-calls", "1000000000000")) {
      ManagedChannel channel =
          Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
              .build();
      var stub = FibPerfServiceGrpc.newBlockingStub(channel);
      var async = FibPerfServiceGrpc.newStub(channel);
      io.grpc.Context.CancellableContext holder = io.grpc.Context.current().withCancellation();
      // The slot holder: naive fib(50) three times in a worker process, minutes of work outside
      // this JVM.
      holder.run(
          () ->
              async.serial(
                  SerialRequest.newBuilder()
                      .addNums(50)
                      .addNums(50)
                      .addNums(50)
                      .setPool(PoolKind.POOL_KIND_PROCESSES)
                      .build(),
                  new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(dev.fibperf.proto.v1.SerialResponse value) {}

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                  }));
      while (stub.listRuns(ListRunsRequest.getDefaultInstance()).getInFlightCount() == 0) {
        Thread.sleep(10);
      }
      SerialRequest refused = SerialRequest.newBuilder().addNums(20).build();
      var health = HealthGrpc.newBlockingStub(channel);
      // Warm both paths, so the JIT's compilation is not counted.
      for (int i = 0; i < calls; i++) {
        refuse(stub, refused);
        health.check(HealthCheckRequest.getDefaultInstance());
      }
      double[] refusalMicros = new double[rounds];
      double[] healthMicros = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long cpu0 = server.cpuTime().toNanos();
        for (int i = 0; i < calls; i++) {
          refuse(stub, refused);
        }
        long cpu1 = server.cpuTime().toNanos();
        for (int i = 0; i < calls; i++) {
          health.check(HealthCheckRequest.getDefaultInstance());
        }
        long cpu2 = server.cpuTime().toNanos();
        refusalMicros[r] = (cpu1 - cpu0) / 1e3 / calls;
        healthMicros[r] = (cpu2 - cpu1) / 1e3 / calls;
      }
      holder.cancel(null);
      channel.shutdownNow();
      System.out.printf(
          Locale.ROOT,
          "java %s, %d calls per round, %d rounds%n  server CPU per refused Serial: median %.1f µs"
              + " (range %.1f–%.1f)%n  server CPU per health check:   median %.1f µs (range"
              + " %.1f–%.1f)%n",
          Runtime.version(),
          calls,
          rounds,
          median(refusalMicros),
          min(refusalMicros),
          max(refusalMicros),
          median(healthMicros),
          min(healthMicros),
          max(healthMicros));
    }
    busy(calls, rounds);
    burst(false);
    burst(true);
  }

  /**
   * The same two costs with the box busy: two runs compute on the server's own threads (both cores
   * of this machine), and the refusals and health checks compete with them for the CPU. The server
   * process's CPU time would be mostly theirs, so here each call's cost is the CPU of every server
   * thread but the compute workers ({@code fibperf-worker-*}), from {@code /proc/<pid>/task}.
   */
  private static void busy(int calls, int rounds) throws Exception {
    try (ServerJvm server =
        ServerJvm.start(
            "--workers",
            "2",
            "--max-concurrent-runs",
            "2",
            "--no-profiling",
            "--max-naive-calls",
            "1000000000000")) {
      ManagedChannel channel =
          Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
              .build();
      var stub = FibPerfServiceGrpc.newBlockingStub(channel);
      var async = FibPerfServiceGrpc.newStub(channel);
      io.grpc.Context.CancellableContext holders = io.grpc.Context.current().withCancellation();
      for (int i = 0; i < 2; i++) {
        holders.run(
            () ->
                async.serial(
                    SerialRequest.newBuilder().addNums(50).addNums(50).build(),
                    new io.grpc.stub.StreamObserver<>() {
                      @Override
                      public void onNext(dev.fibperf.proto.v1.SerialResponse value) {}

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {}
                    }));
      }
      while (stub.listRuns(ListRunsRequest.getDefaultInstance()).getInFlightCount() < 2) {
        Thread.sleep(10);
      }
      SerialRequest refused = SerialRequest.newBuilder().addNums(20).build();
      var health = HealthGrpc.newBlockingStub(channel);
      for (int i = 0; i < calls; i++) {
        refuse(stub, refused);
        health.check(HealthCheckRequest.getDefaultInstance());
      }
      double[] refusalMicros = new double[rounds];
      double[] healthMicros = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long cpu0 = servingCpuNanos(server.pid());
        for (int i = 0; i < calls; i++) {
          refuse(stub, refused);
        }
        long cpu1 = servingCpuNanos(server.pid());
        for (int i = 0; i < calls; i++) {
          health.check(HealthCheckRequest.getDefaultInstance());
        }
        long cpu2 = servingCpuNanos(server.pid());
        refusalMicros[r] = (cpu1 - cpu0) / 1e3 / calls;
        healthMicros[r] = (cpu2 - cpu1) / 1e3 / calls;
      }
      holders.cancel(null);
      channel.shutdownNow();
      System.out.printf(
          Locale.ROOT,
          "busy (two runs computing on the server's 2 workers), %d calls per round, %d rounds%n"
              + "  CPU of the server's non-worker threads per refused Serial: median %.1f µs"
              + " (range %.1f–%.1f)%n  per health check: median %.1f µs (range %.1f–%.1f)%n",
          calls,
          rounds,
          median(refusalMicros),
          min(refusalMicros),
          max(refusalMicros),
          median(healthMicros),
          min(healthMicros),
          max(healthMicros));
    }
  }

  /** CPU time of every thread of {@code pid} but the compute workers, from /proc (clock ticks). */
  private static long servingCpuNanos(long pid) throws java.io.IOException {
    long ticks = 0;
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc", pid + "", "task"))) {
      for (java.nio.file.Path task : tasks.toList()) {
        String stat;
        try {
          stat = java.nio.file.Files.readString(task.resolve("stat"));
        } catch (java.io.IOException gone) {
          continue; // the thread ended since the listing
        }
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (comm.startsWith("fibperf-worker")) {
          continue;
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
      }
    }
    return ticks * 10_000_000L; // USER_HZ is 100 on Linux
  }

  private static void refuse(FibPerfServiceGrpc.FibPerfServiceBlockingStub stub, SerialRequest r) {
    try {
      stub.serial(r).forEachRemaining(m -> {});
      throw new IllegalStateException("a call was admitted: the slot holder is gone");
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.RESOURCE_EXHAUSTED) {
        throw e;
      }
    }
  }

  /**
   * 16 calls at once against 4 slots, fired from one thread on one connection (one client's
   * fan-out): when each refusal arrives and when each admitted call's first message does, from the
   * moment the burst was sent, and how many refusals arrived after an admitted run's first message.
   * Callbacks run on the client's transport thread, so arrival order is the order on the wire.
   */
  private static void burst(boolean oneWrite) throws Exception {
    // One write: the calls are made on the channel's own event loop, in one task, so their frames
    // leave in the one flush that follows it, and the server can read the burst at once.
    var loop =
        new io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup(
            1, io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler.newFactory());
    try (ServerJvm server = ServerJvm.start("--max-concurrent-runs", "4", "--no-profiling")) {
      ManagedChannel channel =
          io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress(
                  "127.0.0.1", server.port())
              .usePlaintext()
              .eventLoopGroup(loop)
              .channelType(io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel.class)
              .directExecutor()
              .build();
      var stub = FibPerfServiceGrpc.newStub(channel);
      SerialRequest work = SerialRequest.newBuilder().addNums(35).addNums(35).build();
      List<Double> refusedMillis = new ArrayList<>();
      List<Double> admittedFirstMillis = new ArrayList<>();
      List<Double> lastRefusalLeadMillis = new ArrayList<>();
      int lateRefusals = 0;
      for (int round = -3; round < 10; round++) { // 3 rounds of warm-up
        List<double[]> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(16);
        long t0 = System.nanoTime();
        Runnable fire =
            () -> {
              for (int i = 0; i < 16; i++) {
                stub.serial(
                    work,
                    new io.grpc.stub.StreamObserver<>() {
                      boolean first = true;

                      @Override
                      public void onNext(dev.fibperf.proto.v1.SerialResponse value) {
                        if (first) {
                          first = false;
                          arrivals.add(new double[] {0, (System.nanoTime() - t0) / 1e6});
                        }
                      }

                      @Override
                      public void onError(Throwable t) {
                        arrivals.add(new double[] {1, (System.nanoTime() - t0) / 1e6});
                        done.countDown();
                      }

                      @Override
                      public void onCompleted() {
                        done.countDown();
                      }
                    });
              }
            };
        if (oneWrite) {
          loop.next().execute(fire);
        } else {
          fire.run();
        }
        if (!done.await(5, TimeUnit.MINUTES)) {
          throw new IllegalStateException("burst did not end");
        }
        if (round < 0) {
          continue;
        }
        double lastRefusal = 0;
        double firstAdmitted = Double.MAX_VALUE;
        for (double[] a : arrivals) {
          if (a[0] == 1) {
            refusedMillis.add(a[1]);
            lastRefusal = Math.max(lastRefusal, a[1]);
          } else {
            admittedFirstMillis.add(a[1]);
            firstAdmitted = Math.min(firstAdmitted, a[1]);
          }
        }
        for (double[] a : arrivals) {
          if (a[0] == 1 && a[1] > firstAdmitted) {
            lateRefusals++;
          }
        }
        lastRefusalLeadMillis.add(firstAdmitted - lastRefusal);
      }
      channel.shutdownNow();
      System.out.printf(
          Locale.ROOT,
          "burst of 16 %s against --max-concurrent-runs 4, 10 rounds: %d refused,"
              + " median %.2f ms (p90 %.2f, max %.2f) to the status; %d admitted, median %.2f ms"
              + " to their first message; %d refusals arrived after an admitted run's first"
              + " message; the last refusal led the first admitted message by a median %.2f ms"
              + " (min %.2f)%n",
          oneWrite ? "in one write" : "from one thread",
          refusedMillis.size(),
          quantile(refusedMillis, 0.5),
          quantile(refusedMillis, 0.9),
          quantile(refusedMillis, 1.0),
          admittedFirstMillis.size(),
          quantile(admittedFirstMillis, 0.5),
          lateRefusals,
          quantile(lastRefusalLeadMillis, 0.5),
          quantile(lastRefusalLeadMillis, 0.0));
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(0);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(0);
  }

  private static double quantile(List<Double> v, double q) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s[(int) Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
  }
}
