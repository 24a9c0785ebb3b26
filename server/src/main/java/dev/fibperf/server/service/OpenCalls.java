package dev.fibperf.server.service;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The fibperf calls still running or still flushing their stream, so a drain can wait for exactly
 * those (not for long-lived streams of other services, such as health watches) and end the ones
 * left when its grace is over with a status of its choosing.
 */
final class OpenCalls {
  @GuardedBy("this")
  private final Set<RpcCall<?>> open = new LinkedHashSet<>();

  synchronized void opened(RpcCall<?> call) {
    open.add(call);
  }

  synchronized void closed(RpcCall<?> call) {
    open.remove(call);
    if (open.isEmpty()) {
      notifyAll();
    }
  }

  /** Calls open now: running, or flushing their end. */
  synchronized int count() {
    return open.size();
  }

  /** Ends every open call with {@code status}, cancelling its run. */
  void abortAll(Status status) {
    List<RpcCall<?>> calls;
    synchronized (this) {
      calls = new ArrayList<>(open);
    }
    calls.forEach(c -> c.abort(status));
  }

  /** Waits until no call is open; returns false if {@code timeout} passed first. */
  synchronized boolean awaitNone(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!open.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
