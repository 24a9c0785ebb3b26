package dev.fibperf.server.exec.cluster;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.server.compute.CancellationToken;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Peer choice: the free workers of the live peers, one token each, handed to whichever task asks
 * first (so tasks go out in the run's order to whichever peer frees a worker first). A task waiting
 * for a worker wakes on the events that can end its wait: a worker given back, a peer lost, its run
 * cancelled; it never polls.
 */
final class FreeWorkers {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ScheduledExecutorService timer;

  @GuardedBy("lock")
  private final ArrayDeque<Peer.Slot> free = new ArrayDeque<>();

  @GuardedBy("lock")
  private int liveWorkers;

  /**
   * @param timer gives back, later, the workers of a peer that was full
   */
  FreeWorkers(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** A peer joined: all its workers are free. */
  void join(Peer peer) {
    lock.lock();
    try {
      for (int i = 0; i < peer.workers; i++) {
        free.add(new Peer.Slot(peer, i));
      }
      liveWorkers += peer.workers;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** A peer left or was lost (marked so by the caller): its workers are no longer handed out. */
  void leave(Peer peer) {
    lock.lock();
    try {
      free.removeIf(slot -> slot.peer() == peer);
      liveWorkers -= peer.workers;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Workers of the live peers, busy or not. */
  int live() {
    lock.lock();
    try {
      return liveWorkers;
    } finally {
      lock.unlock();
    }
  }

  /** A task is done with a worker; a lost peer's worker is dropped. */
  void giveBack(Peer.Slot slot) {
    lock.lock();
    try {
      if (!slot.peer().lost()) {
        free.add(slot);
        changed.signalAll(); // all: the one woken may be leaving, cancelled
      }
    } finally {
      lock.unlock();
    }
  }

  /** Gives a worker back after {@code delay}: a full peer's, so it is not asked again at once. */
  void giveBackAfter(Peer.Slot slot, Duration delay) {
    try {
      timer.schedule(() -> giveBack(slot), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // The pool is closing: nobody will take it.
    }
  }

  /**
   * Takes a free worker of a live peer, waiting while all are busy.
   *
   * @param noneLive what to throw when no peer is live any more
   * @throws CancellationException if the token is cancelled first (or the thread interrupted)
   */
  Peer.Slot take(CancellationToken token, Supplier<RuntimeException> noneLive) {
    try (CancellationToken.Registration wake = token.onCancel(this::wakeAll)) {
      lock.lockInterruptibly();
      try {
        while (true) {
          token.throwIfCancelled();
          if (liveWorkers <= 0) {
            throw noneLive.get();
          }
          Peer.Slot slot = free.poll();
          if (slot == null) {
            changed.await();
          } else if (!slot.peer().lost()) {
            return slot;
          }
        }
      } finally {
        lock.unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted");
    }
  }

  private void wakeAll() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
