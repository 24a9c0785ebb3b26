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

  /** Whether a drain is due once {@link #PROGRESS_HOLD} has passed. */
  @GuardedBy("this")
  private boolean holding;

  /** That drain, to cancel when another writes first; null until its producer has kept it. */
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
    if (loop == null || Thread.currentThread() != loopThread || closed || holding) {
      return;
    }
    try {
      heldDrain = loop.schedule(this::drainOnLoop, progressHold.toNanos(), TimeUnit.NANOSECONDS);
      holding = true;
    } catch (RejectedExecutionException e) {
      // The transport is shutting down: progress is then written as it comes.
    }
  }

  private void send(T message, boolean urgent) {
    boolean becameFull;
    Wake wake;
    synchronized (this) {
      if (closed || completing) {
        return;
      }
      queue.add(message);
      queued++;
      wake = drainSoon(urgent);
      becameFull = queued >= highWater && fullSince == 0 && !closed;
      if (becameFull) {
        fullSince = System.nanoTime();
      }
    }
    wake(wake);
    if (becameFull) {
      onFull.run();
    }
  }

  /** Sends {@code last} after everything queued, then completes the stream. */
  void complete(T last) {
    Wake wake;
    synchronized (this) {
      if (closed || completing) {
        return;
      }
      queue.add(last);
      queued++;
      completing = true;
      wake = drainSoon(true);
    }
    wake(wake);
  }

  /**
   * What a producer asks of the loop once it has let go of this stream: asked under the lock, the
   * wake-up's system call held the loop's drain waiting on the lock (6 % of the transport thread's
   * time in a profile).
   */
  private enum Wake {
    NONE,
    NOW,
    HELD
  }

  /**
   * Drains now on the call's loop (or with no loop). From any other thread it says which drain to
   * schedule on the loop, which writes everything queued by then: one at once when {@code urgent},
   * else one once {@link #PROGRESS_HOLD} has passed, unless a drain is due already.
   */
  @GuardedBy("this")
  private Wake drainSoon(boolean urgent) {
    if (loop == null || Thread.currentThread() == loopThread) {
      drain();
      return Wake.NONE;
    }
    if (urgent && !drainScheduled) {
      drainScheduled = true;
      return Wake.NOW;
    }
    if (!urgent && !drainScheduled && !holding) {
      holding = true;
      return Wake.HELD;
    }
    return Wake.NONE;
  }

  private void wake(Wake wake) {
    try {
      switch (wake) {
        case NOW -> loop.execute(this::drainOnLoop);
        case HELD ->
            keepHeld(
                loop.schedule(this::drainOnLoop, progressHold.toNanos(), TimeUnit.NANOSECONDS));
        case NONE -> {}
      }
    } catch (RejectedExecutionException e) {
      // The transport is shutting down: write from here, as without a loop.
      synchronized (this) {
        drainScheduled = false;
        holding = false;
      }
      drain();
    }
  }

  /** Keeps a held drain to cancel later, unless a drain has written what it was for meanwhile. */
  private void keepHeld(ScheduledFuture<?> held) {
    boolean stale;
    synchronized (this) {
      stale = !holding || heldDrain != null || closed;
      if (!stale) {
        heldDrain = held;
      }
    }
    if (stale) {
      held.cancel(false);
    }
  }

  private void drainOnLoop() {
    ScheduledFuture<?> held;
    synchronized (this) {
      drainScheduled = false;
      holding = false;
      held = heldDrain;
      heldDrain = null;
    }
    if (held != null) {
      held.cancel(false); // this drain writes what it held (a no-op when it is this one)
    }
    drain();
  }

  /** Ends the stream with {@code status} now; queued messages are dropped. */
  void fail(Status status) {
    ScheduledFuture<?> held;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      queue.clear();
      queued = 0;
      holding = false;
      held = heldDrain;
      heldDrain = null;
      if (!cancelled) {
        observer.onError(status.asRuntimeException());
      }
    }
    if (held != null) {
      held.cancel(false);
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
