package dev.fibperf.server.service;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;

/**
 * Counts fibperf calls that are still running or still flushing their stream, so a drain can wait
 * for exactly those and not for long-lived streams of other services (health watches).
 */
final class OpenCalls {
  @GuardedBy("this")
  private int open;

  synchronized void opened() {
    open++;
  }

  synchronized void closed() {
    open--;
    if (open == 0) {
      notifyAll();
    }
  }

  /** Waits until no call is open; returns false if {@code timeout} passed first. */
  synchronized boolean awaitNone(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (open > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
