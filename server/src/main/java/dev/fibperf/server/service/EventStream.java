package dev.fibperf.server.service;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A server stream that respects transport flow control. Messages are queued and written only while
 * the transport is ready; {@link #hasRoom()} tells producers to stop starting new work while the
 * reader is behind, so the queue stays bounded by {@code highWater} plus what is already in flight.
 *
 * <p>Given its call's transport thread (event loop), messages queued on other threads are written
 * from there, in one task for all that are queued by the time it runs: gRPC flushes what one task
 * on the loop wrote once. Progress (a task's start, {@link #sendProgress}) may wait up to {@link
 * #PROGRESS_HOLD} for what follows it, so a short run's start, result and summary cross the wire in
 * one write instead of three, each of which took the loop a system call and woke the reader
 * (BENCHMARKS, "the per-call path"). Results and the end are never held.
 *
 * <p>Thread-safe: producers on worker threads and gRPC's ready callbacks serialise on this object.
 * A stream ends once: with {@link #complete} (after its queued messages) or {@link #fail}.
 */
final class EventStream<T> {
  /**
   * Longest a progress message waits for the messages after it: far below what a person watching
   * sees, and longer than a short task takes to finish.
   */
  static final Duration PROGRESS_HOLD = Duration.ofMillis(1);

  private final ServerCallStreamObserver<T> observer;
  private final int highWater;
  private final Queue<T> queue = new ArrayDeque<>();
  private volatile int queued;
  private volatile boolean cancelled;
  private volatile Runnable onRoom = () -> {};
  private volatile Runnable onFull = () -> {};

  /** System.nanoTime() when the queue last reached the high-water mark; 0 while it is below. */
  private volatile long fullSince;

  private final Runnable onClosed;
  private final ScheduledExecutorService loop; // null: drain on the thread that queued
  private final Thread loopThread;
  private final Duration progressHold;

  @GuardedBy("this")
  private boolean drainScheduled;

  /** A drain due once {@link #PROGRESS_HOLD} has passed, or null. */
  @GuardedBy("this")
  private ScheduledFuture<?> heldDrain;

  @GuardedBy("this")
  private boolean closedReported;

  @GuardedBy("this")
  private boolean completing;

  @GuardedBy("this")
  private boolean closed;

  @GuardedBy("this")
  private boolean draining;

  /**
   * @param onCancel runs once if the client cancels or its deadline passes
   * @param onClosed runs once when the call is over on the wire: its last message and status have
   *     been sent, or it was cancelled. Not earlier: a drain that stops the transports as soon as
   *     {@code onCompleted()} returns would reset streams whose trailers are still queued.
   */
  EventStream(
      ServerCallStreamObserver<T> observer, int highWater, Runnable onCancel, Runnable onClosed) {
    this(observer, highWater, onCancel, onClosed, null);
  }

  /**
   * @param loop the call's transport thread, when this constructor runs on it (a handler does):
   *     messages queued elsewhere are written from there; null to write them where they are queued
   */
  EventStream(
      ServerCallStreamObserver<T> observer,
      int highWater,
      Runnable onCancel,
      Runnable onClosed,
      ScheduledExecutorService loop) {
    this(observer, highWater, onCancel, onClosed, loop, PROGRESS_HOLD);
  }

  EventStream(
      ServerCallStreamObserver<T> observer,
      int highWater,
      Runnable onCancel,
      Runnable onClosed,
      ScheduledExecutorService loop,
      Duration progressHold) {
    this.progressHold = progressHold;
    this.observer = observer;
    this.highWater = highWater;
    this.onClosed = onClosed;
    this.loop = loop;
    this.loopThread = loop == null ? null : Thread.currentThread();
    observer.setOnCancelHandler(
        () -> {
          cancelled = true;
          onCancel.run();
          reportClosed();
        });
    observer.setOnCloseHandler(this::reportClosed);
    observer.setOnReadyHandler(this::drain);
  }

  /** Sets what to run when queued messages have drained below the high-water mark. */
  void onRoom(Runnable onRoom) {
    this.onRoom = onRoom;
  }

  /** Sets what to run when queued messages reach the high-water mark (the reader is behind). */
  void onFull(Runnable onFull) {
    this.onFull = onFull;
  }

  /** How long the queue has been at the high-water mark, in nanoseconds; 0 if it is not. */
  long fullForNanos() {
    long since = fullSince;
    return since == 0 ? 0 : Math.max(1, System.nanoTime() - since);
  }

  /** Whether producers may start more work; lock-free so it can be polled under other locks. */
  boolean hasRoom() {
    return queued < highWater && !cancelled;
  }

  /** Messages queued and not yet handed to the transport. */
  int queued() {
    return queued;
  }

  boolean isCancelled() {
    return cancelled;
  }

  /** Sends {@code message} as soon as the transport is ready. */
  void send(T message) {
    send(message, true);
  }

  /**
   * Sends a progress message: on the loop's next write, or {@link #PROGRESS_HOLD} from now at the
   * latest.
   */
  void sendProgress(T message) {
    send(message, false);
  }

  /**
   * From the call's loop: progress queued in the next {@link #PROGRESS_HOLD} waits for what follows
   * it (scheduled here, where a timer costs no wake-up of the loop).
   */
  synchronized void holdProgress() {
    if (loop != null && Thread.currentThread() == loopThread && !closed && heldDrain == null) {
      try {
        scheduleHeldDrain();
      } catch (RejectedExecutionException e) {
        // The transport is shutting down: progress is then written as it comes.
      }
    }
  }

  private void send(T message, boolean urgent) {
    boolean becameFull;
    synchronized (this) {
      if (closed || completing) {
        return;
      }
      queue.add(message);
      queued++;
      drainSoon(urgent);
      becameFull = queued >= highWater && fullSince == 0 && !closed;
      if (becameFull) {
        fullSince = System.nanoTime();
      }
    }
    if (becameFull) {
      onFull.run();
    }
  }

  /** Sends {@code last} after everything queued, then completes the stream. */
  synchronized void complete(T last) {
    if (closed || completing) {
      return;
    }
    queue.add(last);
    queued++;
    completing = true;
    drainSoon(true);
  }

  /**
   * Drains now on the call's loop (or with no loop). From any other thread it schedules one drain
   * on the loop, which writes everything queued by then: at once when {@code urgent}, else once
   * {@link #PROGRESS_HOLD} has passed, unless a drain is due already.
   */
  @GuardedBy("this")
  private void drainSoon(boolean urgent) {
    if (loop == null || Thread.currentThread() == loopThread) {
      drain();
      return;
    }
    try {
      if (urgent && !drainScheduled) {
        drainScheduled = true;
        loop.execute(this::drainOnLoop);
      } else if (!urgent && !drainScheduled && heldDrain == null) {
        scheduleHeldDrain();
      }
    } catch (RejectedExecutionException e) {
      // The transport is shutting down: write from here, as without a loop.
      drainScheduled = false;
      heldDrain = null;
      drain();
    }
  }

  @GuardedBy("this")
  private void scheduleHeldDrain() {
    heldDrain = loop.schedule(this::drainOnLoop, progressHold.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void drainOnLoop() {
    synchronized (this) {
      drainScheduled = false;
      if (heldDrain != null) {
        heldDrain.cancel(false); // this drain writes what it held
        heldDrain = null;
      }
    }
    drain();
  }

  /** Ends the stream with {@code status} now; queued messages are dropped. */
  synchronized void fail(Status status) {
    if (closed) {
      return;
    }
    closed = true;
    queue.clear();
    queued = 0;
    if (heldDrain != null) {
      heldDrain.cancel(false);
      heldDrain = null;
    }
    if (!cancelled) {
      observer.onError(status.asRuntimeException());
    }
  }

  private synchronized void reportClosed() {
    if (!closedReported) {
      closedReported = true;
      onClosed.run();
    }
  }

  private void drain() {
    boolean drained = false;
    synchronized (this) {
      // With direct executors, onNext can re-enter drain() on this thread (the reader asks for
      // more, the transport says it is ready). The outer loop carries on; a nested one would
      // complete the stream under it, and the outer one would then complete it twice.
      if (closed || draining) {
        return;
      }
      draining = true;
      try {
        while (!queue.isEmpty() && observer.isReady() && !cancelled) {
          observer.onNext(queue.poll());
          queued--;
          drained = true;
        }
        if (completing && queue.isEmpty()) {
          closed = true;
          if (!cancelled) {
            observer.onCompleted();
          }
          return;
        }
      } finally {
        draining = false;
      }
    }
    if (drained) {
      if (queued < highWater) {
        fullSince = 0;
      }
      onRoom.run();
    }
  }
}
