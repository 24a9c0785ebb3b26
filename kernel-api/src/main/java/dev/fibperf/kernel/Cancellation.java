package dev.fibperf.kernel;

import java.util.concurrent.CancellationException;

/**
 * Whether the task a kernel is computing is still wanted. Reading it is one volatile read: check it
 * every few microseconds of work, not on every instruction.
 */
@FunctionalInterface
public interface Cancellation {
  /** Never cancelled: for running a kernel outside fibperf (tests, benchmarks). */
  Cancellation NEVER = () -> false;

  /** Whether the caller has gone, its deadline passed, or the server is stopping. */
  boolean isCancelled();

  /**
   * Throws when cancelled, so a loop can stop with one call.
   *
   * @throws CancellationException when {@link #isCancelled()}
   */
  default void check() {
    if (isCancelled()) {
      throw new CancellationException("cancelled");
    }
  }
}
