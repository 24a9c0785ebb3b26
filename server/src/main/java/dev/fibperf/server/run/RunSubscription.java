package dev.fibperf.server.run;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.server.run.RunRegistry.RunRecord;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * One subscriber's view of the runs: the registry's single fan-out, behind both WatchRuns and the
 * dashboard's event stream. The runs' threads only append to its bounded list of messages (they
 * never wait for a subscriber, nor write to a network for it); the subscriber takes them at its own
 * pace. When the list is full, events are counted and dropped, and how many were lost is the next
 * message taken, before any later event. A message that ends the subscription (the one run watched
 * finished) is never dropped, and nothing follows it.
 *
 * <p>Thread-safe. Created by {@link RunRegistry#subscribe}; close it to stop receiving.
 *
 * @param <T> the subscriber's message type
 */
public final class RunSubscription<T> implements AutoCloseable {
  /** What a subscriber makes of the runs: one message per event it wants. */
  public interface Messages<T> {
    /** A run already in flight when the subscription began. */
    T inFlight(RunRecord run);

    /** The message for {@code event}, whose run is now {@code run}; null to say nothing. */
    T event(RunRecord run, RunEvent event);

    /** That {@code count} events were dropped because the subscriber fell behind. */
    T dropped(long count);

    /** Whether {@code message} ends the subscription. */
    boolean ends(T message);
  }

  private final Predicate<RunRecord> filter;
  private final Messages<T> messages;
  private final int capacity;
  private final IntSupplier heldDownstream;
  private final Runnable onAvailable;
  private final Consumer<RunSubscription<?>> unsubscribe;
  private final Set<Long> inFlightAtStart;

  @GuardedBy("this")
  private final Queue<T> pending = new ArrayDeque<>();

  @GuardedBy("this")
  private long dropped;

  @GuardedBy("this")
  private boolean ended;

  @GuardedBy("this")
  private boolean closed;

  RunSubscription(
      Predicate<RunRecord> filter,
      Messages<T> messages,
      int capacity,
      IntSupplier heldDownstream,
      Runnable onAvailable,
      List<RunRecord> inFlight,
      Consumer<RunSubscription<?>> unsubscribe) {
    this.filter = filter;
    this.messages = messages;
    this.capacity = capacity;
    this.heldDownstream = heldDownstream;
    this.onAvailable = onAvailable;
    this.unsubscribe = unsubscribe;
    List<RunRecord> wanted = inFlight.stream().filter(filter).toList();
    this.inFlightAtStart = Set.copyOf(wanted.stream().map(RunRecord::id).toList());
    wanted.forEach(r -> offer(messages.inFlight(r)));
  }

  /** Whether the run was in flight, and wanted, when the subscription began. */
  public boolean wasInFlight(long runId) {
    return inFlightAtStart.contains(runId);
  }

  /** Called by the registry, under its lock, in event order. */
  void deliver(RunRecord run, RunEvent event) {
    if (filter.test(run)) {
      T message = messages.event(run, event);
      if (message != null) {
        offer(message);
      }
    }
  }

  /** Appends {@code message}, or counts it dropped when the subscriber is too far behind. */
  public synchronized void offer(T message) {
    if (ended || closed) {
      return;
    }
    boolean last = messages.ends(message);
    if (!last && pending.size() + heldDownstream.getAsInt() >= capacity) {
      dropped++;
      return;
    }
    if (dropped > 0) {
      pending.add(messages.dropped(dropped));
      dropped = 0;
    }
    pending.add(message);
    ended = last;
    notifyAll();
    onAvailable.run();
  }

  /** Whether {@code message} is the one that ends this subscription. */
  public boolean isLast(T message) {
    return messages.ends(message);
  }

  /** The next message, or null if none is waiting. */
  public synchronized T poll() {
    T next = pending.poll();
    if (next == null && dropped > 0) {
      // The loss is told as soon as it can be, not with the next event, which may never come.
      next = messages.dropped(dropped);
      dropped = 0;
    }
    return next;
  }

  /** Whether a message (or a loss to tell) is waiting. */
  public synchronized boolean hasPending() {
    return !pending.isEmpty() || dropped > 0;
  }

  /**
   * The next message, waiting up to {@code timeout} for one.
   *
   * @return null if none came in time, or the subscription is closed
   */
  public synchronized T take(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!hasPending() && !closed) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return poll();
  }

  /** Drops what is waiting; later events are not delivered. */
  public synchronized void clear() {
    pending.clear();
    dropped = 0;
    ended = true;
  }

  /** Stops receiving; idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      notifyAll();
    }
    unsubscribe.accept(this);
  }
}
