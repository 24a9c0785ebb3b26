package dev.fibperf.server.run;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Who may use the workers at once. Ordinary runs share them; a run that measures (a Compare, by
 * default) holds them alone, so neither of its phases competes with another caller's tasks. Holds
 * are granted first come, first served: a shared run that arrives while an exclusive one waits
 * queues behind it, so a Compare is not starved by a stream of small calls.
 *
 * <p>Thread-safe. Waiting holds no thread: {@link #acquire} returns a future.
 */
final class Isolation {
  /** A granted hold; {@link #close()} gives it back. Idempotent. */
  final class Hold implements AutoCloseable {
    private final boolean exclusive;
    private boolean released; // guarded by Isolation.this

    private Hold(boolean exclusive) {
      this.exclusive = exclusive;
    }

    @Override
    public void close() {
      release(this);
    }
  }

  private record Waiter(boolean exclusive, CompletableFuture<Hold> granted) {}

  @GuardedBy("this")
  private int sharedHolds;

  @GuardedBy("this")
  private boolean exclusiveHeld;

  @GuardedBy("this")
  private final Deque<Waiter> waiting = new ArrayDeque<>();

  /**
   * A hold, granted now or when the runs ahead of it are done. Cancelling the future (the caller
   * left) takes the request out of the queue.
   */
  CompletableFuture<Hold> acquire(boolean exclusive) {
    CompletableFuture<Hold> granted = new CompletableFuture<>();
    Waiter waiter = new Waiter(exclusive, granted);
    List<Grant> grants;
    synchronized (this) {
      waiting.addLast(waiter);
      grants = grant();
    }
    deliver(grants);
    granted.whenComplete(
        (hold, error) -> {
          if (error instanceof CancellationException) {
            withdraw(waiter);
          }
        });
    return granted;
  }

  /**
   * A hold that holds nothing: for work that is part of a run already holding the workers (a task
   * this server's own cluster pool sent to itself as a peer).
   */
  Hold partOfHeldRun() {
    Hold none = new Hold(false);
    synchronized (this) {
      none.released = true;
    }
    return none;
  }

  /**
   * A shared hold now, or null if one cannot be granted at once (an exclusive run holds the
   * workers, or one waits for them: a shared run granted now would delay it).
   */
  Hold tryAcquireShared() {
    synchronized (this) {
      if (exclusiveHeld || !waiting.isEmpty()) {
        return null;
      }
      sharedHolds++;
      return new Hold(false);
    }
  }

  /** Requests waiting for a hold. */
  synchronized int waitingCount() {
    return waiting.size();
  }

  private void withdraw(Waiter waiter) {
    List<Grant> grants;
    synchronized (this) {
      // A shared run queued behind a withdrawn exclusive one may go now.
      grants = waiting.remove(waiter) ? grant() : List.of();
    }
    deliver(grants);
  }

  private void release(Hold hold) {
    List<Grant> grants;
    synchronized (this) {
      if (hold.released) {
        return;
      }
      hold.released = true;
      if (hold.exclusive) {
        exclusiveHeld = false;
      } else {
        sharedHolds--;
      }
      grants = grant();
    }
    deliver(grants);
  }

  private record Grant(Waiter waiter, Hold hold) {}

  /** Takes holds for the head of the queue while they are compatible with those held. */
  @GuardedBy("this")
  private List<Grant> grant() {
    List<Grant> grants = new ArrayList<>();
    while (!waiting.isEmpty()) {
      Waiter next = waiting.peekFirst();
      boolean free = next.exclusive() ? !exclusiveHeld && sharedHolds == 0 : !exclusiveHeld;
      if (!free) {
        break;
      }
      waiting.removeFirst();
      if (next.exclusive()) {
        exclusiveHeld = true;
      } else {
        sharedHolds++;
      }
      grants.add(new Grant(next, new Hold(next.exclusive())));
    }
    return grants;
  }

  /**
   * Completes granted futures outside the lock: their dependents start runs. A request cancelled
   * meanwhile gives its hold straight back.
   */
  private void deliver(List<Grant> grants) {
    for (Grant g : grants) {
      if (!g.waiter().granted().complete(g.hold())) {
        g.hold().close();
      }
    }
  }
}
