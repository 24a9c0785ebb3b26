package dev.fibperf.bench;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.PoolKind;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * How long a cancelled call takes to free its workers: a real server (in-process transport), a
 * Parallel of two fib(45) tasks (seconds each), cancelled once both have started; the clock runs
 * from the cancel until no run holds a slot, polled every 50 µs. Rounds on threads and on worker
 * processes, alternating. Backs README's "stops the running tasks within milliseconds".
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.CancelLatency [rounds]
 * </pre>
 */
public final class CancelLatency {
  private CancelLatency() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String name = InProcessServerBuilder.generateName();
    FibServer server =
        new FibServer(
                InProcessServerBuilder.forName(name),
                ServerConfig.newBuilder().workers(2).profilingEnabled(false).build())
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    FibPerfServiceGrpc.FibPerfServiceBlockingStub stub =
        FibPerfServiceGrpc.newBlockingStub(channel);
    try {
      List<Double> threads = new ArrayList<>();
      List<Double> processes = new ArrayList<>();
      cancelAfterStart(server, stub, PoolKind.POOL_KIND_PROCESSES); // start the workers
      for (int r = 0; r < rounds; r++) {
        threads.add(cancelAfterStart(server, stub, PoolKind.POOL_KIND_THREADS));
        processes.add(cancelAfterStart(server, stub, PoolKind.POOL_KIND_PROCESSES));
      }
      System.out.printf(
          Locale.ROOT,
          "cancel to workers free, %d rounds: threads median %.2f ms (max %.2f),"
              + " processes median %.2f ms (max %.2f)%n",
          rounds,
          ProfileOverhead.median(threads),
          Collections.max(threads),
          ProfileOverhead.median(processes),
          Collections.max(processes));
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }

  private static double cancelAfterStart(
      FibServer server, FibPerfServiceGrpc.FibPerfServiceBlockingStub stub, PoolKind pool)
      throws Exception {
    Context.CancellableContext call = Context.current().withCancellation();
    Iterator<ParallelResponse> events =
        call.call(
            () ->
                stub.parallel(
                    ParallelRequest.newBuilder().addNums(45).addNums(45).setPool(pool).build()));
    int started = 0;
    while (started < 2) {
      if (events.next().hasTaskStarted()) {
        started++;
      }
    }
    long t0 = System.nanoTime();
    call.cancel(null);
    while (server.service().activeRuns() > 0) {
      LockSupport.parkNanos(50_000);
    }
    return (System.nanoTime() - t0) / 1e6;
  }
}
