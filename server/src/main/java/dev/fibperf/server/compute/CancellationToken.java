package dev.fibperf.server.compute;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * A cooperative stop request that the kernels poll and that waiters can listen to. Cancelling is
 * idempotent and thread-safe; once cancelled, a token stays cancelled.
 */
public final class CancellationToken implements dev.fibperf.kernel.Cancellation {
  /** A token that is never cancelled, for callers that cannot stop midway (benchmarks, tests). */
  public static final CancellationToken NONE = new CancellationToken();

  private volatile boolean cancelled;

  @GuardedBy("this")
  private List<Runnable> listeners = new ArrayList<>(); // null once cancelled

  /**
   * Asks every kernel polling this token to stop at its next check, and runs the listeners, on this
   * thread.
   */
  public void cancel() {
    if (this == NONE) {
      return;
    }
    List<Runnable> toRun;
    synchronized (this) {
      if (listeners == null) {
        return;
      }
      cancelled = true;
      toRun = listeners;
      listeners = null;
    }
    toRun.forEach(Runnable::run);
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * Runs {@code listener} once when the token is cancelled: at once, on this thread, if it already
   * is. Listeners must be quick; they run on the cancelling thread.
   *
   * @return closing it removes the listener (e.g. when the wait it serves is over)
   */
  public Registration onCancel(Runnable listener) {
    if (this == NONE) {
      return () -> {}; // never fires; shared, so it must not collect listeners
    }
    synchronized (this) {
      if (listeners != null) {
        listeners.add(listener);
        return () -> remove(listener);
      }
    }
    listener.run();
    return () -> {};
  }

  private synchronized void remove(Runnable listener) {
    if (listeners != null) {
      listeners.remove(listener);
    }
  }

  /** A listener's registration. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * @throws CancellationException if {@link #cancel()} was called
   */
  public void throwIfCancelled() {
    if (cancelled) {
      throw new CancellationException("cancelled");
    }
  }
}
