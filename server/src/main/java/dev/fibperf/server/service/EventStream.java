package dev.fibperf.server.service;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * A server stream that respects transport flow control. Messages are queued and written only while
 * the transport is ready; {@link #hasRoom()} tells producers to stop starting new work while the
 * reader is behind, so the queue stays bounded by {@code highWater} plus what is already in flight.
 *
 * <p>Thread-safe: producers on worker threads and gRPC's ready callbacks serialise on this object.
 * A stream ends once: with {@link #complete} (after its queued messages) or {@link #fail}.
 */
final class EventStream<T> {
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
    this.observer = observer;
    this.highWater = highWater;
    this.onClosed = onClosed;
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

  void send(T message) {
    boolean becameFull;
    synchronized (this) {
      if (closed || completing) {
        return;
      }
      queue.add(message);
      queued++;
      drain();
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
