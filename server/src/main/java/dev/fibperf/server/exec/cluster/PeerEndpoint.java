package dev.fibperf.server.exec.cluster;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.proto.cluster.v1.CapacityRequest;
import dev.fibperf.proto.cluster.v1.CapacityResponse;
import dev.fibperf.proto.cluster.v1.ComputeRequest;
import dev.fibperf.proto.cluster.v1.ComputeResponse;
import dev.fibperf.proto.cluster.v1.PeerServiceGrpc;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.compute.CostModel;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.exec.TaskKernel;
import dev.fibperf.server.exec.TaskPool;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;

/**
 * The peer side of the cluster pool: computes the tasks another replica's cluster pool sends, on
 * this replica's thread pool, beside its own callers' tasks. A task stops when its call is
 * cancelled or its deadline passes (the coordinator's caller left); a draining replica refuses new
 * tasks with UNAVAILABLE, so the coordinator sends them elsewhere.
 */
public final class PeerEndpoint extends PeerServiceGrpc.PeerServiceImplBase {
  private final TaskPool threads;
  private final int workers;
  private final ToIntFunction<Algorithm> maxN;
  private final BooleanSupplier draining;
  private final long maxNaiveCalls;

  @GuardedBy("this")
  private int inFlight;

  /**
   * @param threads the replica's thread pool, started on the first task
   * @param workers its size, reported to coordinators
   * @param maxN the largest n this replica accepts for each algorithm (its own --max-n-* limits)
   * @param draining whether the replica is shutting down
   * @param maxNaiveCalls the naive-recursion budget of one request here (--max-naive-calls): a peer
   *     task is held to it as a one-task request would be
   */
  public PeerEndpoint(
      TaskPool threads,
      int workers,
      ToIntFunction<Algorithm> maxN,
      BooleanSupplier draining,
      long maxNaiveCalls) {
    this.threads = Objects.requireNonNull(threads, "threads");
    this.workers = workers;
    this.maxN = Objects.requireNonNull(maxN, "maxN");
    this.draining = Objects.requireNonNull(draining, "draining");
    this.maxNaiveCalls = maxNaiveCalls;
  }

  /** Waits up to {@code timeout} for the tasks in flight here to end; false if some did not. */
  public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (inFlight > 0) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /**
   * Takes a place for one task, at most one per worker: a peer queues nothing, so coordinators
   * (however many) cannot pile work on it past its size; a full peer says so and they go elsewhere
   * or wait.
   */
  private synchronized boolean started() {
    if (inFlight >= workers) {
      return false;
    }
    inFlight++;
    return true;
  }

  private synchronized void ended() {
    if (--inFlight == 0) {
      notifyAll();
    }
  }

  @Override
  public void capacity(CapacityRequest request, StreamObserver<CapacityResponse> response) {
    if (draining.getAsBoolean()) {
      response.onError(Status.UNAVAILABLE.withDescription("peer is draining").asException());
      return;
    }
    response.onNext(CapacityResponse.newBuilder().setWorkers(workers).build());
    response.onCompleted();
  }

  @Override
  public void compute(ComputeRequest request, StreamObserver<ComputeResponse> response) {
    Algorithm algorithm = PeerProtocol.algorithm(request.getKernel());
    if (algorithm == null) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription("kernel=" + request.getKernelValue() + " is not a known kernel")
              .asException());
      return;
    }
    long n = Integer.toUnsignedLong(request.getN());
    int limit = maxN.applyAsInt(algorithm);
    if (n > limit) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  String.format(
                      "n=%d exceeds this peer's max n %d for %s", n, limit, algorithm.name()))
              .asException());
      return;
    }
    if (algorithm == Algorithm.NAIVE && CostModel.naiveCalls((int) n) > maxNaiveCalls) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  String.format(
                      "n=%d needs %.3g naive-recursion calls, exceeds this peer's max %.3g per"
                          + " request (--max-naive-calls)",
                      n, CostModel.naiveCalls((int) n), (double) maxNaiveCalls))
              .asException());
      return;
    }
    if (draining.getAsBoolean()) {
      response.onError(Status.UNAVAILABLE.withDescription("peer is draining").asException());
      return;
    }
    if (!started()) {
      response.onError(
          Status.RESOURCE_EXHAUSTED
              .withDescription(
                  (workers == 1
                          ? "peer full: its one worker has a peer task"
                          : "peer full: its " + workers + " workers each have a peer task")
                      + "; try another")
              .asException());
      return;
    }
    long arrived = System.nanoTime();
    CancellationToken token = new CancellationToken();
    // Fires when the coordinator cancels the call, its deadline passes, or its connection drops.
    Context.current().addListener(context -> token.cancel(), Runnable::run);
    Task task = new Task(0, (int) n);
    threads
        .acquireAsync()
        .thenAccept(
            lease ->
                lease
                    .executor()
                    .execute(
                        () -> {
                          try {
                            run(lease.kernel(), algorithm, task, token, arrived, response);
                          } finally {
                            ended();
                          }
                        }))
        .exceptionally(
            error -> {
              ended();
              response.onError(
                  Status.UNAVAILABLE
                      .withDescription("peer cannot take tasks: " + error.getMessage())
                      .asException());
              return null;
            });
  }

  private static void run(
      TaskKernel kernel,
      Algorithm algorithm,
      Task task,
      CancellationToken token,
      long arrived,
      StreamObserver<ComputeResponse> response) {
    long pickedUp = System.nanoTime();
    if (token.isCancelled()) {
      return; // the call is already over: nothing can be sent
    }
    try {
      TaskKernel.Result result = kernel.compute(algorithm, task, token, TaskContext.NONE);
      response.onNext(
          ComputeResponse.newBuilder()
              .setValue(result.value().toString())
              .setElapsedNanos(result.timing().elapsedNanos())
              .setCpuNanos(result.timing().cpuNanos())
              .setWorker(Thread.currentThread().getName())
              .setQueueNanos(pickedUp - arrived)
              .build());
      response.onCompleted();
    } catch (CancellationException e) {
      response.onError(Status.CANCELLED.withDescription("task cancelled").asException());
    } catch (RuntimeException e) {
      response.onError(Status.INTERNAL.withDescription("peer failed: " + e).asException());
    }
  }
}
