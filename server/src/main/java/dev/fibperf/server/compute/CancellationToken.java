package dev.fibperf.server.compute;

import java.util.concurrent.CancellationException;

/**
 * A cooperative stop request that the kernels poll. Cancelling is idempotent and thread-safe; once
 * cancelled, a token stays cancelled.
 */
public final class CancellationToken {
  /** A token that is never cancelled, for callers that cannot stop midway (benchmarks, tests). */
  public static final CancellationToken NONE = new CancellationToken();

  private volatile boolean cancelled;

  /** Asks every kernel polling this token to stop at its next check. */
  public void cancel() {
    if (this != NONE) {
      cancelled = true;
    }
  }

  public boolean isCancelled() {
    return cancelled;
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
