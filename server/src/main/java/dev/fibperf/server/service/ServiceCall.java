package dev.fibperf.server.service;

import dev.fibperf.server.exec.DispatchOrder;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.Run;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.TaskPool;
import dev.fibperf.server.exec.TaskResult;
import dev.fibperf.server.exec.TaskStart;
import dev.fibperf.server.exec.process.WorkerDiedException;
import dev.fibperf.server.exec.process.WorkerStartException;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One RPC from first message to status: its stream, its admission permit, the run in progress and
 * the log line written when it ends.
 */
final class ServiceCall<T> {
  // Logged under the service's name: operators filter on it.
  private static final System.Logger LOG = System.getLogger(FibPerfService.class.getName());

  /**
   * Messages a stream may queue beyond what the transport has accepted before new tasks wait for
   * the reader. Small, because a queued message is at most a few KB and more buys nothing.
   */
  static final int STREAM_HIGH_WATER = 64;

  /** What every call of one service shares: its limits, its bookkeeping and its pools. */
  record CallResources(
      Admission admission,
      OpenCalls openCalls,
      BooleanSupplier draining,
      TaskPool threads,
      TaskPool processes) {}

  /** Work that may fail with a status. */
  @FunctionalInterface
  interface StatusRunnable {
    void run() throws StatusException;
  }

  private final CallResources resources;
  private final String method;
  private final int requestedTasks;
  private final long startNanos = System.nanoTime();
  private final Deadline deadline = Context.current().getDeadline();
  private final EventStream<T> stream;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile Run run;
  private volatile boolean admitted;
  private Runnable onEnd = () -> {}; // guarded by this; null once the call has ended
  // Closed once the run has ended and the stream has closed, in either order.
  private final AtomicInteger stillOpen = new AtomicInteger(2);

  ServiceCall(
      CallResources resources, String method, int requestedTasks, StreamObserver<T> observer) {
    this.resources = resources;
    this.method = method;
    this.requestedTasks = requestedTasks;
    resources.openCalls().opened();
    this.stream =
        new EventStream<>(
            (ServerCallStreamObserver<T>) observer,
            STREAM_HIGH_WATER,
            this::cancelRun,
            this::halfClosed);
  }

  private void halfClosed() {
    if (stillOpen.decrementAndGet() == 0) {
      resources.openCalls().closed();
    }
  }

  /** Validates and starts the call; any status thrown ends it. */
  void begin(StatusRunnable body) {
    try {
      if (resources.draining().getAsBoolean()) {
        throw Status.UNAVAILABLE
            .withDescription("server is shutting down; retry on another instance")
            .asException();
      }
      resources.admission().acquire();
      admitted = true;
      body.run();
    } catch (StatusException e) {
      fail(e);
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  /** Runs a continuation that may fail, ending the call with its status if it does. */
  void guard(StatusRunnable body) {
    try {
      body.run();
    } catch (StatusException | RuntimeException e) {
      fail(e);
    }
  }

  /**
   * Adds cleanup to run when the call ends, however it ends; at once if it has already ended (a
   * resource that arrived after the client left).
   */
  void onEnd(Runnable cleanup) {
    synchronized (this) {
      if (onEnd != null) {
        Runnable previous = onEnd;
        onEnd =
            () -> {
              previous.run();
              cleanup.run();
            };
        return;
      }
    }
    cleanup.run();
  }

  /** A continuation that may fail with a status. */
  @FunctionalInterface
  interface StatusConsumer<V> {
    void accept(V value) throws StatusException;
  }

  /**
   * Continues with {@code next} once {@code pending} completes, without blocking this thread; a
   * failure of either ends the call with its status.
   */
  <V> void then(CompletableFuture<V> pending, StatusConsumer<V> next) {
    pending.whenComplete(
        (value, error) -> {
          if (error != null) {
            fail(
                error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error);
          } else {
            guard(() -> next.accept(value));
          }
        });
  }

  void startRun(
      Workload workload,
      DispatchOrder order,
      int parallelism,
      PoolKind poolKind,
      ProfileRunner.Profiled profiled,
      Consumer<TaskStart> started,
      Consumer<TaskResult> finished,
      Consumer<RunResult> completed) {
    TaskPool pool = poolKind == PoolKind.PROCESSES ? resources.processes() : resources.threads();
    then(
        pool.acquireAsync(),
        lease -> {
          if (ended.get()) {
            return; // the client left while the pool started
          }
          Run.Builder builder =
              Run.newBuilder()
                  .tasks(workload.tasks())
                  .algorithm(workload.algorithm())
                  .parallelism(parallelism)
                  .order(order)
                  .pool(lease)
                  .gate(stream::hasRoom)
                  .listener(RunListeners.of(started, finished, completed, this::fail));
          if (profiled != null) {
            builder.window(profiled.window());
          }
          Run next = builder.build();
          run = next;
          stream.onRoom(next::resume);
          // The client may have gone between phases: then this run must not start any work.
          if (stream.isCancelled()) {
            next.cancel();
          }
          next.start();
        });
  }

  void send(com.google.protobuf.GeneratedMessage.Builder<?> message) {
    stream.send(cast(message.build()));
  }

  void complete(com.google.protobuf.GeneratedMessage.Builder<?> message) {
    // Release the permit before the client can see the end, so it can call again at once. A
    // client that left while the last step ran (e.g. profile analysis) never saw an OK.
    end(
        stream.isCancelled()
            ? Status.CANCELLED.withDescription("the client left before the final message")
            : Status.OK);
    stream.complete(cast(message.build()));
  }

  void fail(Throwable cause) {
    Status status = statusOf(cause);
    end(status);
    stream.fail(status);
  }

  private void cancelRun() {
    Run current = run;
    if (current != null) {
      current.cancel();
    }
  }

  private Status statusOf(Throwable cause) {
    if (cause instanceof StatusException) {
      return ((StatusException) cause).getStatus();
    }
    if (cause instanceof CancellationException) {
      if (deadline != null && deadline.isExpired()) {
        return Status.DEADLINE_EXCEEDED.withDescription("deadline passed; run stopped");
      }
      return Status.CANCELLED.withDescription("cancelled by the client; run stopped");
    }
    if (cause instanceof WorkerDiedException || cause instanceof WorkerStartException) {
      return Status.UNAVAILABLE.withDescription(cause.getMessage());
    }
    if (cause instanceof RejectedExecutionException) {
      return Status.UNAVAILABLE.withDescription("server is shutting down");
    }
    if (cause instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(cause.getMessage());
    }
    LOG.log(Level.ERROR, method + " failed", cause);
    return Status.INTERNAL.withDescription(method + " failed: " + cause).withCause(cause);
  }

  private void end(Status status) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    halfClosed();
    if (admitted) {
      resources.admission().release();
    }
    Runnable cleanup;
    synchronized (this) {
      cleanup = onEnd;
      onEnd = null;
    }
    try {
      cleanup.run();
    } finally {
      LOG.log(
          Level.INFO,
          () ->
              String.format(
                  "rpc=%s tasks=%d status=%s duration=%.3fs%s",
                  method,
                  requestedTasks == 0 ? RequestValidator.DEFAULT_NUMS.size() : requestedTasks,
                  status.getCode(),
                  (System.nanoTime() - startNanos) / 1e9,
                  status.getDescription() == null || status.isOk()
                      ? ""
                      : " message=\"" + status.getDescription() + "\""));
    }
  }

  @SuppressWarnings("unchecked")
  private T cast(Object message) {
    return (T) message;
  }
}
