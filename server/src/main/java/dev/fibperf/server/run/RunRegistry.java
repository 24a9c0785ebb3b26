package dev.fibperf.server.run;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.server.exec.RunClock;
import dev.fibperf.server.profile.HotMethod;
import dev.fibperf.server.profile.ProfileReport;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * What the server knows of its runs: those in flight and the most recent finished ones (a bounded
 * number, so memory stays bounded), kept up to date from every run's events, and subscriptions that
 * see those events as they happen. Fed as a {@link RunEventListener} of the {@link Runner}.
 *
 * <p>Thread-safe. Subscriptions are fed under the registry's lock, in event order, so a subscriber
 * never misses or repeats an event between its snapshot and its first live event.
 */
public final class RunRegistry implements RunEventListener {
  /** How many top methods a profiled run's record keeps. */
  static final int TOP_METHODS = 5;

  /** Where a run is in its life. */
  public enum State {
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED
  }

  /**
   * One run as of some moment; immutable.
   *
   * @param phase the phase running now or last, null before the first task
   * @param endTime null while running
   * @param outcome for a succeeded run
   * @param failure for a failed or cancelled run
   * @param topMethods for a profiled run, the latest top self methods
   */
  public record RunRecord(
      long id,
      RunSpec spec,
      Instant acceptedTime,
      State state,
      int tasksDone,
      int tasksTotal,
      Phase phase,
      Instant endTime,
      RunOutcome outcome,
      Throwable failure,
      List<HotMethod> topMethods) {
    public RunRecord {
      topMethods = List.copyOf(topMethods);
    }

    /** The same run further on: more tasks done, a later phase, newer top methods. */
    RunRecord progressed(int tasksDone, Phase phase, List<HotMethod> topMethods) {
      return new RunRecord(
          id,
          spec,
          acceptedTime,
          state,
          tasksDone,
          tasksTotal,
          phase,
          endTime,
          outcome,
          failure,
          topMethods);
    }

    RunRecord ended(State state, Instant endTime, RunOutcome outcome, Throwable failure) {
      return new RunRecord(
          id,
          spec,
          acceptedTime,
          state,
          tasksDone,
          tasksTotal,
          phase,
          endTime,
          outcome,
          failure,
          outcome == null ? topMethods : top(outcome, topMethods));
    }
  }

  private final int recentCapacity;
  private final RunClock clock;

  @GuardedBy("this")
  private final Map<Long, RunRecord> inFlight = new LinkedHashMap<>();

  @GuardedBy("this")
  private final Deque<RunRecord> recent = new ArrayDeque<>();

  @GuardedBy("this")
  private final List<RunSubscription<?>> subscriptions = new ArrayList<>();

  /**
   * @param recentCapacity how many finished runs to keep
   */
  public RunRegistry(int recentCapacity, RunClock clock) {
    if (recentCapacity < 0) {
      throw new IllegalArgumentException("recentCapacity=" + recentCapacity + " must be >= 0");
    }
    this.recentCapacity = recentCapacity;
    this.clock = clock;
  }

  @Override
  public synchronized void onEvent(RunEvent event) {
    RunRecord record = apply(event);
    if (record == null) {
      return; // an artifact, or a run this registry never saw admitted
    }
    for (RunSubscription<?> s : subscriptions) {
      s.deliver(record, event);
    }
  }

  @GuardedBy("this")
  private RunRecord apply(RunEvent event) {
    if (event instanceof RunEvent.Accepted a) {
      int phases = a.spec().kind() == RunKind.COMPARE ? 2 : 1;
      RunRecord r =
          new RunRecord(
              a.runId(),
              a.spec(),
              clock.now(),
              State.RUNNING,
              0,
              phases * a.spec().tasks().size(),
              null,
              null,
              null,
              null,
              List.of());
      inFlight.put(a.runId(), r);
      return r;
    }
    RunRecord r = inFlight.get(event.runId());
    if (r == null || event instanceof RunEvent.ArtifactRendered) {
      return null;
    }
    RunRecord next;
    if (event instanceof RunEvent.TaskStarted t) {
      next = r.progressed(r.tasksDone(), t.phase(), r.topMethods());
    } else if (event instanceof RunEvent.TaskFinished t) {
      next = r.progressed(r.tasksDone() + 1, t.phase(), r.topMethods());
    } else if (event instanceof RunEvent.ProfileSnapshot s) {
      next = r.progressed(r.tasksDone(), r.phase(), top(s.profile()));
    } else if (event instanceof RunEvent.PhaseCompleted p) {
      next = r.progressed(r.tasksDone(), p.phase(), r.topMethods());
    } else if (event instanceof RunEvent.Completed c) {
      next = r.ended(State.SUCCEEDED, clock.now(), c.outcome(), null);
    } else if (event instanceof RunEvent.Failed f) {
      State state = f.cause() instanceof CancellationException ? State.CANCELLED : State.FAILED;
      next = r.ended(state, clock.now(), null, f.cause());
    } else {
      return null;
    }
    if (next.state() == State.RUNNING) {
      inFlight.put(next.id(), next);
    } else {
      inFlight.remove(next.id());
      recent.addFirst(next);
      while (recent.size() > recentCapacity) {
        recent.removeLast();
      }
    }
    return next;
  }

  /** Runs in flight, oldest first. */
  public synchronized List<RunRecord> inFlight() {
    return List.copyOf(inFlight.values());
  }

  /** Finished runs, most recent first. */
  public synchronized List<RunRecord> recent() {
    return List.copyOf(recent);
  }

  /** The run, if in flight or recent. */
  public synchronized Optional<RunRecord> get(long id) {
    RunRecord r = inFlight.get(id);
    if (r != null) {
      return Optional.of(r);
    }
    return recent.stream().filter(x -> x.id() == id).findFirst();
  }

  /** How many finished runs are kept. */
  public int recentCapacity() {
    return recentCapacity;
  }

  /**
   * Subscribes to the runs {@code filter} wants: first a message for each run in flight now, then
   * one per event, from the same moment, so nothing is missed or repeated between the two.
   *
   * @param capacity most messages waiting, here and {@code heldDownstream}, before events drop
   * @param heldDownstream messages the subscriber holds past the subscription (e.g. in its stream)
   * @param onAvailable run when a message is added; must not block (it runs under the registry's
   *     lock, on a run's thread)
   */
  public synchronized <T> RunSubscription<T> subscribe(
      Predicate<RunRecord> filter,
      RunSubscription.Messages<T> messages,
      int capacity,
      IntSupplier heldDownstream,
      Runnable onAvailable) {
    RunSubscription<T> subscription =
        new RunSubscription<>(
            filter,
            messages,
            capacity,
            heldDownstream,
            onAvailable,
            List.copyOf(inFlight.values()),
            this::unsubscribe);
    subscriptions.add(subscription);
    return subscription;
  }

  private synchronized void unsubscribe(RunSubscription<?> subscription) {
    subscriptions.remove(subscription);
  }

  /** Subscriptions open now: WatchRuns calls and dashboard event streams. */
  public synchronized int subscriberCount() {
    return subscriptions.size();
  }

  private static List<HotMethod> top(ProfileReport profile) {
    return profile.self().subList(0, Math.min(TOP_METHODS, profile.self().size()));
  }

  /** A finished run's top methods: its (last) profiled phase's, else what the snapshots had. */
  private static List<HotMethod> top(RunOutcome outcome, List<HotMethod> fallback) {
    List<HotMethod> top = fallback;
    for (RunOutcome.PhaseOutcome p : outcome.phases()) {
      if (p.profile() != null) {
        top = top(p.profile());
      }
    }
    return top;
  }
}
