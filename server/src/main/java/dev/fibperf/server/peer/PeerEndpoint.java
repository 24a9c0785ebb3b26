package dev.fibperf.server.peer;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.proto.cluster.v1.CapacityRequest;
import dev.fibperf.proto.cluster.v1.CapacityResponse;
import dev.fibperf.proto.cluster.v1.ComputeRequest;
import dev.fibperf.proto.cluster.v1.ComputeResponse;
import dev.fibperf.proto.cluster.v1.PeerServiceGrpc;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CostModel;
import dev.fibperf.server.compute.KernelCatalog;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.exec.TaskResult;
import dev.fibperf.server.run.ActiveRun;
import dev.fibperf.server.run.RunRejectedException;
import dev.fibperf.server.run.RunSpec;
import dev.fibperf.server.run.Runner;
import dev.fibperf.server.service.StatusMapping;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;

/**
 * The peer side of the cluster pool: computes the tasks another replica's cluster pool sends. Each
 * task is a run here like any other (a Serial run of that one task on this replica's threads):
 * admitted under the same run slots and limits, shown by ListRuns and WatchRuns as part of its
 * coordinator's run, counted in the metrics, and kept off the workers while an exclusive run holds
 * them. A peer queues nothing: when its workers or run slots are taken, or an exclusive run holds
 * or waits for the workers, it says RESOURCE_EXHAUSTED and the coordinator goes elsewhere. A task
 * stops when its call is cancelled or its deadline passes (the coordinator's caller left); a
 * draining replica refuses new tasks with UNAVAILABLE, so the coordinator sends them elsewhere.
 */
public final class PeerEndpoint extends PeerServiceGrpc.PeerServiceImplBase {
  private static final Context.Key<RunSpec.CoordinatorRun> COORDINATOR_RUN =
      Context.key("fibperf-coordinator-run");
  private static final Context.Key<Boolean> FROM_THIS_SERVER =
      Context.key("fibperf-from-this-server");

  private final Runner runner;
  private final String instance;
  private final int workers;
  private final ToIntFunction<Algorithm> maxN;
  private final BooleanSupplier draining;
  private final long maxNaiveCalls;
  private final KernelCatalog kernels;

  @GuardedBy("this")
  private int inFlight;

  /**
   * @param runner admits and runs the tasks, on this replica's thread pool
   * @param instance this server's instance id, which its own cluster pool sends with each task
   * @param workers its size, reported to coordinators
   * @param maxN the largest n this replica accepts for each algorithm (its own --max-n-* limits)
   * @param draining whether the replica is shutting down
   * @param maxNaiveCalls the naive-recursion budget of one request here (--max-naive-calls): a peer
   *     task is held to it as a one-task request would be
   */
  public PeerEndpoint(
      Runner runner,
      String instance,
      int workers,
      ToIntFunction<Algorithm> maxN,
      BooleanSupplier draining,
      long maxNaiveCalls,
      KernelCatalog kernels) {
    this.runner = Objects.requireNonNull(runner, "runner");
    this.instance = Objects.requireNonNull(instance, "instance");
    this.workers = workers;
    this.maxN = Objects.requireNonNull(maxN, "maxN");
    this.draining = Objects.requireNonNull(draining, "draining");
    this.maxNaiveCalls = maxNaiveCalls;
    this.kernels = Objects.requireNonNull(kernels, "kernels");
  }

  /**
   * Reads which coordinator run a call's task belongs to: the run id the coordinator sent, and the
   * address the call came from. Goes inside the interceptors that authenticate the call.
   */
  public ServerInterceptor coordinatorRun() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String sent = headers.get(PeerProtocol.COORDINATOR_RUN);
        RunSpec.CoordinatorRun run =
            new RunSpec.CoordinatorRun(
                host(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)),
                sent == null ? 0 : PeerProtocol.runIdOf(sent));
        boolean fromThisServer = sent != null && instance.equals(PeerProtocol.instanceOf(sent));
        return Contexts.interceptCall(
            Context.current()
                .withValue(COORDINATOR_RUN, run)
                .withValue(FROM_THIS_SERVER, fromThisServer),
            call,
            headers,
            next);
      }
    };
  }

  private static String host(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(remote);
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
    Status invalid = check(request);
    if (invalid != null) {
      response.onError(invalid.asException());
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
    Algorithm algorithm = algorithm(request);
    RunSpec.CoordinatorRun coordinator = COORDINATOR_RUN.get();
    if (coordinator == null) {
      coordinator = new RunSpec.CoordinatorRun("unknown", 0);
    }
    Deadline deadline = Context.current().getDeadline();
    ActiveRun run;
    try {
      run =
          runner.admitNow(
              RunSpec.peerTask(new Task(0, request.getN()), algorithm, coordinator),
              event -> {},
              deadline == null
                  ? TaskContext.NO_DEADLINE
                  : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS),
              Boolean.TRUE.equals(FROM_THIS_SERVER.get()));
    } catch (RunRejectedException e) {
      ended();
      Status refused = StatusMapping.toStatus(e, false);
      response.onError(
          refused
              .withDescription(
                  (refused.getCode() == Status.Code.RESOURCE_EXHAUSTED ? "peer full: " : "")
                      + refused.getDescription()
                      + "; try another")
              .asException());
      return;
    }
    // Fires when the coordinator cancels the call, its deadline passes, or its connection drops.
    Context.current().addListener(context -> run.cancel(), Runnable::run);
    run.outcome()
        .whenComplete(
            (outcome, error) -> {
              ended();
              if (error != null) {
                response.onError(StatusMapping.toStatus(unwrap(error), false).asException());
                return;
              }
              TaskResult done = outcome.only().result().results().get(0);
              ComputeResponse.Builder computed =
                  ComputeResponse.newBuilder()
                      .setValue(done.value().toString())
                      .setElapsedNanos(done.duration().toNanos())
                      .setCpuNanos(done.cpuTime() == null ? -1 : done.cpuTime().toNanos())
                      .setWorker(done.worker())
                      .setQueueNanos(done.queueWait().toNanos());
              if (done.coreWait() != null) {
                computed.setCoreWaitNanos(done.coreWait().toNanos());
              }
              response.onNext(computed.build());
              response.onCompleted();
            });
    run.start();
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  /** The request's kernel here: by the enum, or by name; null when this peer has none. */
  private Algorithm algorithm(ComputeRequest request) {
    Algorithm named = PeerProtocol.algorithm(request.getKernel());
    return named != null ? named : kernels.find(request.getKernelName()).orElse(null);
  }

  /**
   * A status naming what is wrong with the request (INVALID_ARGUMENT), or with this peer for it
   * (FAILED_PRECONDITION: it lacks the kernel, or holds another build of it), or null if this peer
   * can run it.
   */
  private Status check(ComputeRequest request) {
    if (request.getKernel() == dev.fibperf.proto.cluster.v1.Kernel.KERNEL_UNSPECIFIED
        && !request.getKernelName().isEmpty()) {
      Algorithm here = kernels.find(request.getKernelName()).orElse(null);
      if (here == null) {
        return Status.FAILED_PRECONDITION.withDescription(
            "this peer has no kernel "
                + request.getKernelName()
                + "; start every replica with the same --kernels");
      }
      if (!here.digest().equals(request.getKernelDigest())) {
        return Status.FAILED_PRECONDITION.withDescription(
            String.format(
                "kernel %s differs: the coordinator's is %s, this peer's %s; start every replica"
                    + " with the same --kernels",
                request.getKernelName(), request.getKernelDigest(), here.digest()));
      }
    }
    Algorithm algorithm = algorithm(request);
    if (algorithm == null) {
      return Status.INVALID_ARGUMENT.withDescription(
          "kernel=" + request.getKernelValue() + " is not a known kernel");
    }
    long n = Integer.toUnsignedLong(request.getN());
    int limit = maxN.applyAsInt(algorithm);
    if (n > limit) {
      return Status.INVALID_ARGUMENT.withDescription(
          String.format("n=%d exceeds this peer's max n %d for %s", n, limit, algorithm.name()));
    }
    if (algorithm == Algorithm.NAIVE && CostModel.naiveCalls((int) n) > maxNaiveCalls) {
      return Status.INVALID_ARGUMENT.withDescription(
          String.format(
              "n=%d needs %.3g naive-recursion calls, exceeds this peer's max %.3g per"
                  + " request (--max-naive-calls)",
              n, CostModel.naiveCalls((int) n), (double) maxNaiveCalls));
    }
    return null;
  }
}
