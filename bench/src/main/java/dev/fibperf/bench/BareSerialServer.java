package dev.fibperf.bench;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.PoolKind;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.proto.v1.TaskFinished;
import dev.fibperf.proto.v1.TaskStarted;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Instant;

/**
 * The yardstick for fibperf's per-call cost: the same {@code Serial} RPC with the same messages, on
 * the same grpc-java/Netty build, computed inline on gRPC's own thread with nothing else (no pool
 * hop, no admission, no event stream, no access log). Only naive recursion, no validation: it is a
 * measuring stick, not a server.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.fibperf.bench.BareSerialServer PORT [direct]}:
 * with {@code direct} the handler runs on Netty's event loop ({@code directExecutor()}), the
 * strictest yardstick (no thread hop at all; fine for fib(10), wrong for real work).
 */
public final class BareSerialServer extends FibPerfServiceGrpc.FibPerfServiceImplBase {
  @Override
  public void serial(SerialRequest request, StreamObserver<SerialResponse> observer) {
    Instant runStart = Instant.now();
    long t0 = System.nanoTime();
    RunSummary.Builder summary = RunSummary.newBuilder();
    String worker = Thread.currentThread().getName();
    long taskNanos = 0;
    for (int i = 0; i < request.getNumsCount(); i++) {
      int n = request.getNums(i);
      Instant start = Instant.now();
      observer.onNext(
          SerialResponse.newBuilder()
              .setTaskStarted(
                  TaskStarted.newBuilder()
                      .setIndex(i)
                      .setN(n)
                      .setWorker(worker)
                      .setStartTime(timestamp(start)))
              .build());
      long c0 = System.nanoTime();
      String value = Algorithm.NAIVE.compute(n, CancellationToken.NONE);
      long nanos = System.nanoTime() - c0;
      taskNanos += nanos;
      TaskFinished finished =
          TaskFinished.newBuilder()
              .setIndex(i)
              .setN(n)
              .setValue(value)
              .setDuration(Durations.fromNanos(nanos))
              .setWorker(worker)
              .setStartTime(timestamp(start))
              .build();
      observer.onNext(SerialResponse.newBuilder().setTaskFinished(finished).build());
      summary.addResults(finished);
    }
    observer.onNext(
        SerialResponse.newBuilder()
            .setSummary(
                summary
                    .setStartTime(timestamp(runStart))
                    .setEndTime(timestamp(Instant.now()))
                    .setWallDuration(Durations.fromNanos(System.nanoTime() - t0))
                    .setTaskTime(Durations.fromNanos(taskNanos))
                    .setWorkersUsed(1)
                    .setParallelism(1)
                    .setAlgorithm(dev.fibperf.proto.v1.Algorithm.ALGORITHM_NAIVE)
                    .setPool(PoolKind.POOL_KIND_THREADS)
                    .setDispatchCostPerTask(Durations.ZERO))
            .build());
    observer.onCompleted();
  }

  private static Timestamp timestamp(Instant i) {
    return Timestamps.fromNanos(i.getEpochSecond() * 1_000_000_000L + i.getNano());
  }

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 50052;
    ServerBuilder<?> builder =
        Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
            .addService(new BareSerialServer());
    if (args.length > 1 && args[1].equals("direct")) {
      builder.directExecutor();
    }
    Server server = builder.build().start();
    System.err.println("bare server listening on port " + server.getPort());
    server.awaitTermination();
  }
}
