package dev.fibperf.server.service;

import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.run.ActiveRun;
import dev.fibperf.server.run.RunEvent;
import dev.fibperf.server.run.RunSpec;
import dev.fibperf.server.run.Runner;
import dev.fibperf.server.service.ResponseMapper.Responses;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scope of one fibperf RPC: its flow-controlled stream, the run it drives, and an end that
 * happens once, with a status from {@link StatusMapping}. Counted in {@link OpenCalls} until its
 * run has ended and its status has reached the wire, so a drain waits for exactly that.
 *
 * <p>A call with a deadline ends itself with DEADLINE_EXCEEDED just before it: when gRPC's own
 * server-side deadline fires, it resets the stream (RST_STREAM CANCEL), and a client that reads the
 * reset before its own timer fires reports CANCELLED. Trailers sent a little earlier say what
 * happened to every client.
 */
final class RpcCall<T> {
  private static final System.Logger LOG = System.getLogger(FibPerfService.class.getName());

  /**
   * Messages a stream may queue beyond what the transport has accepted before new tasks wait for
   * the reader. Small, because a queued message is at most a few KB and more buys nothing.
   */
  static final int STREAM_HIGH_WATER = 64;

  /** Maps a request to a run spec, or fails with the status the caller gets. */
  @FunctionalInterface
  interface SpecSource {
    RunSpec get() throws StatusException;
  }

  /**
   * How long before the deadline the call ends itself: a twentieth of its time, 20 to 100 ms. The
   * trailers have to be written, cross the wire and be read before the client's own timer fires; on
   * a loaded two-core box a 20 ms lead on a 1 s deadline lost that race (the client then reports
   * its own "deadline exceeded after ..." and never sees the server's status).
   */
  static Duration deadlineLead(Duration timeout) {
    Duration twentieth = timeout.dividedBy(20);
    return twentieth.compareTo(MIN_LEAD) < 0
        ? MIN_LEAD
        : twentieth.compareTo(MAX_LEAD) > 0 ? MAX_LEAD : twentieth;
  }

  private static final Duration MIN_LEAD = Duration.ofMillis(20);
  private static final Duration MAX_LEAD = Duration.ofMillis(100);

  private final Runner runner;
  private final OpenCalls openCalls;
  private final Executor runStarts;
  private final ScheduledFuture<?> expiry;
  private final Deadline deadline = Context.current().getDeadline();
  private final EventStream<T> stream;
  private final AtomicBoolean ended = new AtomicBoolean();
  // Closed once the run has ended and the stream has closed, in either order.
  private final AtomicInteger stillOpen = new AtomicInteger(2);
  private volatile ActiveRun run;

  RpcCall(
      Runner runner,
      OpenCalls openCalls,
      ScheduledExecutorService timers,
      Executor runStarts,
      Duration stalledTimeout,
      ScheduledExecutorService loop,
      StreamObserver<T> observer) {
    this.runner = runner;
    this.runStarts = runStarts;
    this.openCalls = openCalls;
    openCalls.opened(this);
    this.stream =
        new EventStream<>(
            (ServerCallStreamObserver<T>) observer,
            STREAM_HIGH_WATER,
            this::cancelRun,
            this::halfClosed,
            loop);
    if (!stalledTimeout.isZero()) {
      stream.onFull(() -> watchStall(timers, stalledTimeout));
    }
    if (deadline == null) {
      expiry = null;
    } else {
      Duration left = Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS));
      expiry =
          timers.schedule(
              () -> abort(Status.DEADLINE_EXCEEDED.withDescription("deadline passed; run stopped")),
              left.minus(deadlineLead(left)).toNanos(),
              TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Once the stream is full: if it still is {@code timeout} later, with nothing taken meanwhile,
   * the reader has stalled, and the run is cancelled so it frees its slot (a stalled reader without
   * a deadline would hold it for ever).
   */
  private void watchStall(ScheduledExecutorService timers, Duration timeout) {
    long left = timeout.toNanos() - stream.fullForNanos();
    if (stream.fullForNanos() == 0 || ended.get()) {
      return; // it drained meanwhile: the next time it fills, onFull starts over
    }
    if (left <= 0) {
      abort(
          Status.RESOURCE_EXHAUSTED.withDescription(
              "the reader took nothing for "
                  + timeout
                  + " (--stalled-stream-timeout); run stopped"));
      return;
    }
    timers.schedule(() -> watchStall(timers, timeout), left, TimeUnit.NANOSECONDS);
  }

  /** Ends the call now with {@code status} and cancels its run (a deadline, a shutdown). */
  void abort(Status status) {
    // The stream first: cancelling the run may fail its outcome on this thread, whose status
    // (CANCELLED) would otherwise be the one sent.
    end();
    stream.fail(status);
    cancelRun();
  }

  /** Maps the request, runs it, and streams its events and final message under flow control. */
  void serve(SpecSource spec, Responses<T> responses) {
    RunIdHeader.Handle headers = RunIdHeader.current();
    ActiveRun admitted;
    try {
      runner.checkAdmissible(); // before mapping the request: refusals stay cheap
      admitted =
          runner.admit(
              spec.get(),
              // A task's start is progress, which may wait a moment for what follows it.
              event ->
                  responses.onEvent(
                      event,
                      event instanceof RunEvent.TaskStarted ? stream::sendProgress : stream::send),
              stream::hasRoom,
              deadline == null
                  ? TaskContext.NO_DEADLINE
                  : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS));
    } catch (Exception e) {
      fail(e);
      return;
    }
    run = admitted;
    // From here the run holds a slot, which only its end frees: whatever happens below, it is
    // started (cancelled first if the call is over), so it ends and frees the slot.
    try {
      // On the call's loop now: a one-task run's start, result and summary then go in one write.
      stream.holdProgress();
      admitted
          .outcome()
          .whenComplete(
              (outcome, error) -> {
                if (error != null) {
                  fail(error);
                  return;
                }
                T last;
                try {
                  last = responses.last(outcome);
                } catch (RuntimeException e) {
                  fail(e);
                  return;
                }
                complete(last);
              });
      stream.onRoom(admitted::resume);
      headers.name(admitted.id());
    } finally {
      // The client may have left already: then the run must not start any work. Or it was
      // aborted (deadline, shutdown) while being admitted.
      if (stream.isCancelled() || ended.get()) {
        admitted.cancel();
      }
      admitted.start(runStarts);
      // After the run began (runStarts runs tasks in order): one that waits before its first task
      // names itself now; the others' headers go with their first message, in the same write.
      runStarts.execute(
          () -> {
            if (admitted.waitsBeforeItsTasks()) {
              headers.sendNow();
            }
          });
    }
  }

  private void complete(T last) {
    end();
    stream.complete(last);
  }

  private void fail(Throwable cause) {
    Status status = StatusMapping.toStatus(cause, deadline != null && deadline.isExpired());
    if (StatusMapping.isInternal(status)) {
      LOG.log(Level.ERROR, "call failed: " + status.getDescription(), cause);
    }
    end();
    stream.fail(status);
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      if (expiry != null) {
        expiry.cancel(false);
      }
      halfClosed();
    }
  }

  private void halfClosed() {
    if (stillOpen.decrementAndGet() == 0) {
      openCalls.closed(this);
    }
  }

  private void cancelRun() {
    ActiveRun current = run;
    if (current != null) {
      current.cancel();
    }
  }
}
