package dev.fibperf.server.run;

import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.RunClock;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.exec.TaskPool;
import dev.fibperf.server.exec.process.ProcessPool;
import dev.fibperf.server.profile.JfrProfiler;
import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Admits runs and starts them on the shared pools: a {@link RunSpec} goes in, an {@link ActiveRun}
 * (a future of its {@link RunOutcome}, and its events along the way) comes out. Knows nothing of
 * gRPC.
 *
 * <p>Every event goes to the run's own caller and to every {@link RunEventListener} added here.
 * Borrows the pools, the profiler and the profiling executor; whoever built them closes them.
 */
public final class Runner {
  private static final System.Logger LOG = System.getLogger(Runner.class.getName());

  private final RunContext.House house;
  private final int maxConcurrentRuns;
  private final Semaphore slots;
  private final RunRejectedException atCapacity;
  private final RunRejectedException drainingRefusal =
      new RunRejectedException(
          RunRejectedException.Reason.DRAINING,
          "server is shutting down; retry on another instance");
  private final RunRejectedException exclusiveBusy =
      new RunRejectedException(
          RunRejectedException.Reason.EXCLUSIVE_RUN,
          "an exclusive run (a Compare) holds or waits for the workers");
  private final LongSupplier runIds;
  private final List<RunEventListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean draining;
  private volatile PastCompares pastCompares = PastCompares.NONE;

  /**
   * @param maxConcurrentRuns runs doing work at once; later ones are refused
   * @param profilingExecutor reads recordings and takes live snapshots, off the workers
   * @param clock where runs read time
   * @param runIds each admitted run's id; unique for as long as the runs are remembered
   */
  public Runner(
      TaskPool threads,
      ProcessPool processes,
      TaskPool cluster,
      JfrProfiler jfr,
      ScheduledExecutorService profilingExecutor,
      int maxConcurrentRuns,
      RunClock clock,
      LongSupplier runIds) {
    this.runIds = Objects.requireNonNull(runIds, "runIds");
    Map<PoolKind, TaskPool> pools = new EnumMap<>(PoolKind.class);
    pools.put(PoolKind.THREADS, Objects.requireNonNull(threads, "threads"));
    pools.put(PoolKind.PROCESSES, Objects.requireNonNull(processes, "processes"));
    pools.put(PoolKind.CLUSTER, Objects.requireNonNull(cluster, "cluster"));
    this.house =
        new RunContext.House(
            Collections.unmodifiableMap(pools),
            new PhaseProfiler(jfr, processes, profilingExecutor),
            new Isolation(),
            Objects.requireNonNull(clock, "clock"),
            (runId, parallelism, limit) ->
                pastCompares.headlineSpeedups(runId, parallelism, limit));
    if (maxConcurrentRuns < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentRuns=" + maxConcurrentRuns + " must be at least 1");
    }
    this.maxConcurrentRuns = maxConcurrentRuns;
    this.slots = new Semaphore(maxConcurrentRuns);
    // Made once: a refusal allocates nothing (they are stackless, and say the same every time).
    this.atCapacity =
        new RunRejectedException(
            RunRejectedException.Reason.AT_CAPACITY,
            "concurrent runs at max "
                + maxConcurrentRuns
                + " (--max-concurrent-runs); retry when a run finishes");
  }

  /**
   * Throws the refusal {@link #admit} would, without admitting: a caller checks this before the
   * work of mapping a request, so that a refused call costs as little as possible. A run may still
   * be refused by {@code admit} if another took the last slot meanwhile.
   */
  public void checkAdmissible() throws RunRejectedException {
    checkNotDraining();
    if (slots.availablePermits() == 0) {
      throw atCapacity;
    }
  }

  /** Adds a listener for every run's events from now on. */
  /**
   * Where finished Compares find their workload's earlier Compares: set once the service that
   * remembers runs exists (it listens to this runner, so it comes after it).
   */
  public void usePastCompares(PastCompares past) {
    this.pastCompares = Objects.requireNonNull(past, "past");
  }

  public void addListener(RunEventListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Admits a run; it does nothing until {@link ActiveRun#start()}. It holds a run slot until its
   * outcome is known (its workers are free).
   *
   * @param caller receives the run's events on the thread where they happen; it must not block
   * @param callerHasRoom consulted before each task is handed out: while false, no new task starts
   *     (call {@link ActiveRun#resume()} when it may have changed). Must not block.
   * @throws RunRejectedException if the server is draining or every run slot is taken
   */
  public ActiveRun admit(RunSpec spec, Consumer<RunEvent> caller, BooleanSupplier callerHasRoom)
      throws RunRejectedException {
    return admit(spec, caller, callerHasRoom, TaskContext.NO_DEADLINE);
  }

  /**
   * Like {@link #admit(RunSpec, Consumer, BooleanSupplier)}, for a caller that stops waiting at
   * {@code deadlineNanoTime} ({@link System#nanoTime()}'s clock): tasks sent to other machines
   * carry it.
   */
  public ActiveRun admit(
      RunSpec spec, Consumer<RunEvent> caller, BooleanSupplier callerHasRoom, long deadlineNanoTime)
      throws RunRejectedException {
    Objects.requireNonNull(spec, "spec");
    takeSlot();
    return admitted(spec, caller, callerHasRoom, slots::release, null, deadlineNanoTime);
  }

  /**
   * Admits a run that must start now or not at all: a task another replica's cluster pool sent
   * here, which queues nowhere (its coordinator sends it to a free peer instead). It takes a run
   * slot like any run, and shares the workers: while an exclusive run holds them or waits for them
   * it is refused. It holds the slot and its share until its outcome is known; call {@link
   * ActiveRun#start()} at once.
   *
   * @param partOfOwnRun whether the task is part of a run this server admitted (its own cluster
   *     pool sent it here, this server being one of its peers): that run holds a slot and the
   *     workers already, so this takes neither (else an exclusive Compare would refuse its own
   *     tasks, and a server with one slot could never run its share)
   * @throws RunRejectedException if the server is draining, every run slot is taken, or an
   *     exclusive run holds or waits for the workers
   */
  public ActiveRun admitNow(
      RunSpec spec, Consumer<RunEvent> caller, long deadlineNanoTime, boolean partOfOwnRun)
      throws RunRejectedException {
    Objects.requireNonNull(spec, "spec");
    if (spec.exclusive()) {
      throw new IllegalArgumentException("a run admitted now shares the workers");
    }
    if (partOfOwnRun) {
      checkNotDraining();
      return admitted(
          spec, caller, () -> true, () -> {}, house.isolation().partOfHeldRun(), deadlineNanoTime);
    }
    takeSlot();
    Isolation.Hold hold = house.isolation().tryAcquireShared();
    if (hold == null) {
      slots.release();
      throw exclusiveBusy;
    }
    return admitted(spec, caller, () -> true, slots::release, hold, deadlineNanoTime);
  }

  private void checkNotDraining() throws RunRejectedException {
    if (draining) {
      throw drainingRefusal;
    }
  }

  /** Takes a run slot, or refuses as {@link #checkAdmissible()} says. */
  private void takeSlot() throws RunRejectedException {
    checkNotDraining();
    if (!slots.tryAcquire()) {
      throw atCapacity;
    }
  }

  private ActiveRun admitted(
      RunSpec spec,
      Consumer<RunEvent> caller,
      BooleanSupplier callerHasRoom,
      Runnable releaseSlot,
      Isolation.Hold granted,
      long deadlineNanoTime) {
    return new ActiveRun(
        new RunContext(
            runIds.getAsLong(),
            spec,
            house,
            event -> publish(caller, event),
            callerHasRoom,
            releaseSlot,
            granted,
            deadlineNanoTime));
  }

  private void publish(Consumer<RunEvent> caller, RunEvent event) {
    caller.accept(event);
    for (RunEventListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "run event listener " + listener + " failed", e);
      }
    }
  }

  /** From now on, {@link #admit} refuses; runs already admitted carry on. */
  public void startDraining() {
    draining = true;
  }

  /** Runs waiting for the workers: behind an exclusive run, or exclusive ones behind others. */
  public int waitingForWorkers() {
    return house.isolation().waitingCount();
  }

  /** Runs holding a slot right now. */
  public int activeRuns() {
    return maxConcurrentRuns - slots.availablePermits();
  }
}
