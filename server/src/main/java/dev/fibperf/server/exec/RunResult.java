package dev.fibperf.server.exec;

import dev.fibperf.server.compute.Algorithm;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one run (or one phase of a Compare). All its times come from one monotonic clock,
 * anchored to UTC once, so {@code endTime - startTime == wall} exactly, and what the caller waited
 * for the run is {@code poolStartup + queueWait + wall}.
 *
 * @param results one per task, in input order
 * @param startTime when the first task reached a worker
 * @param endTime when the last task finished
 * @param wall {@code endTime - startTime}: the run's own clock, without pool start-up or queue wait
 * @param taskTime the tasks' elapsed durations summed
 * @param cpuTime the tasks' CPU times summed; null when a task's could not be measured
 * @param workersUsed distinct workers that ran a task
 * @param parallelism most tasks allowed in flight
 * @param poolCold whether this run created the pool
 * @param algorithm the kernel used
 * @param pool where the tasks ran
 * @param poolStartup from asking for the pool until the run could hand out tasks: the pool's
 *     start-up when cold, otherwise only the server's own set-up
 * @param queueWait from when the run was ready until its first task reached a worker: waiting
 *     behind other runs for a free worker
 * @param handoffPerTask mean {@link TaskResult#handoff()}
 * @param dispatchCoreWait how long the threads handing this run's tasks to the pool waited for a
 *     core while doing so (measured on parallel runs only; zero otherwise): a task the dispatcher
 *     could not hand out is late though no figure of its own shows it
 * @param coreWaitSource how the core waits were measured
 * @param kernelCache what the kernel's cache did during the run, for a kernel that keeps one, on
 *     threads (a worker process's cache is its own); null otherwise
 */
public record RunResult(
    List<TaskResult> results,
    Instant startTime,
    Instant endTime,
    Duration wall,
    Duration taskTime,
    Duration cpuTime,
    int workersUsed,
    int parallelism,
    boolean poolCold,
    Algorithm algorithm,
    PoolKind pool,
    Duration poolStartup,
    Duration queueWait,
    Duration handoffPerTask,
    Duration dispatchCoreWait,
    CoreWait.Source coreWaitSource,
    KernelCacheUse kernelCache) {
  /**
   * Below this share of CPU time in elapsed time, the run's tasks waited for cores: another load
   * ran beside them, and their times say more about that load than about the tasks.
   */
  public static final double CONTENDED_BELOW = 0.9;

  /**
   * Above this share of the wall time spent by its tasks waiting for a worker behind other runs,
   * the run's wall time says more about the queue than about the tasks.
   */
  public static final double QUEUED_ABOVE = 0.1;

  /**
   * Above this share of the wall time spent by its threads waiting for a core (summed over the
   * tasks, their wake-ups, hand-offs and dispatch), another load held cores the run needed: on two
   * workers, one of them stalled for a tenth of the phase. Where the OS does not report run delay,
   * the tasks' elapsed minus CPU time stands in ({@link CoreWait.Source#ELAPSED_MINUS_CPU}).
   */
  public static final double CORE_WAIT_ABOVE = 0.05;

  public RunResult {
    results = List.copyOf(results);
  }

  /** A run whose kernel keeps no cache (or ran where its cache cannot be read). */
  public RunResult(
      List<TaskResult> results,
      Instant startTime,
      Instant endTime,
      Duration wall,
      Duration taskTime,
      Duration cpuTime,
      int workersUsed,
      int parallelism,
      boolean poolCold,
      Algorithm algorithm,
      PoolKind pool,
      Duration poolStartup,
      Duration queueWait,
      Duration handoffPerTask,
      Duration dispatchCoreWait,
      CoreWait.Source coreWaitSource) {
    this(
        results,
        startTime,
        endTime,
        wall,
        taskTime,
        cpuTime,
        workersUsed,
        parallelism,
        poolCold,
        algorithm,
        pool,
        poolStartup,
        queueWait,
        handoffPerTask,
        dispatchCoreWait,
        coreWaitSource,
        null);
  }

  /** Tasks that ran more than once because the worker they were on was lost. */
  public int tasksRerun() {
    int rerun = 0;
    for (TaskResult r : results) {
      if (r.attempts() > 1) {
        rerun++;
      }
    }
    return rerun;
  }

  /** CPU time / task time, or NaN when either is unknown or zero. */
  public double cpuShare() {
    if (cpuTime == null || taskTime.isZero()) {
      return Double.NaN;
    }
    return (double) cpuTime.toNanos() / taskTime.toNanos();
  }

  /**
   * The tasks' queue waits inside the wall, summed: each task's wait from when it was handed to the
   * pool (or from {@code startTime}, whichever is later) until a worker picked it up. A first
   * task's wait before {@code startTime} is the run's {@code queueWait}, not this.
   */
  public Duration taskQueueWait() {
    Duration sum = Duration.ZERO;
    for (TaskResult r : results) {
      sum = sum.plus(inWall(r, r.queueWait()));
    }
    return sum;
  }

  /**
   * Of {@link #taskQueueWait()}, the part not spent waiting for a core on being woken: a worker
   * busy with another run's task, or the wake-up and hand-off itself.
   */
  public Duration taskQueueWaitForWorkers() {
    Duration sum = Duration.ZERO;
    for (TaskResult r : results) {
      Duration waited = inWall(r, r.queueWait());
      Duration forCore = r.wakeupCoreWait() == null ? Duration.ZERO : r.wakeupCoreWait();
      sum = sum.plus(waited.compareTo(forCore) > 0 ? waited.minus(forCore) : Duration.ZERO);
    }
    return sum;
  }

  /** The part of {@code wait}, which ended when {@code r} was picked up, after startTime. */
  private Duration inWall(TaskResult r, Duration wait) {
    Instant waitStart = r.startTime().minus(wait);
    if (!waitStart.isBefore(startTime)) {
      return wait;
    }
    return r.startTime().isAfter(startTime)
        ? Duration.between(startTime, r.startTime())
        : Duration.ZERO;
  }

  /**
   * Every wait for a core this run's threads had, summed: the tasks' own ({@link
   * TaskResult#totalCoreWait()}) and the dispatcher's; where the OS does not report run delay, the
   * tasks' elapsed minus CPU time.
   */
  public Duration coreWait() {
    if (coreWaitSource == CoreWait.Source.ELAPSED_MINUS_CPU) {
      return cpuTime == null || cpuTime.compareTo(taskTime) >= 0
          ? Duration.ZERO
          : taskTime.minus(cpuTime);
    }
    Duration sum = dispatchCoreWait;
    for (TaskResult r : results) {
      sum = sum.plus(r.totalCoreWait());
    }
    return sum;
  }

  /**
   * The wall this run would have had with its cores free: for each worker, when it put down its
   * last task less every wait for a core it had inside the wall (computing, on being woken, during
   * hand-offs), and the latest of those. A model with one assumption, said here: each worker would
   * have run the same tasks in the same order. Where run delay is not measured per thread ({@link
   * CoreWait.Source#SCHEDSTAT}), the wall itself.
   */
  public Duration freeWall() {
    if (coreWaitSource != CoreWait.Source.SCHEDSTAT || results.isEmpty()) {
      return wall;
    }
    Map<String, long[]> workers = new HashMap<>();
    for (TaskResult r : results) {
      long start = Math.max(0, Duration.between(startTime, r.startTime()).toNanos());
      long handoffWait = nanos(r.handoffCoreWait());
      long end = start + r.duration().toNanos() + r.handoff().toNanos() + handoffWait;
      long waited = nanos(r.coreWait()) + handoffWait + Math.min(nanos(r.wakeupCoreWait()), start);
      long[] worker = workers.computeIfAbsent(r.worker(), w -> new long[2]);
      worker[0] = Math.max(worker[0], Math.min(end, wall.toNanos()));
      worker[1] += waited;
    }
    long free = 0;
    for (long[] worker : workers.values()) {
      free = Math.max(free, worker[0] - worker[1]);
    }
    return Duration.ofNanos(Math.max(1, Math.min(free, wall.toNanos())));
  }

  private static long nanos(Duration d) {
    return d == null ? 0 : d.toNanos();
  }

  /** {@link #coreWait()} / wall, or 0 for an empty run: on P workers at most about P. */
  public double coreWaitShare() {
    return wall.isZero() ? 0 : (double) coreWait().toNanos() / wall.toNanos();
  }

  /** {@link #taskQueueWaitForWorkers()} / wall, or 0 for an empty run. */
  public double queuedShare() {
    return wall.isZero() ? 0 : (double) taskQueueWaitForWorkers().toNanos() / wall.toNanos();
  }

  /**
   * Whether other load shared the machine with this run: its threads waited for cores for more than
   * {@link #CORE_WAIT_ABOVE} of its wall time, its tasks got markedly less CPU than elapsed time
   * ({@link #CONTENDED_BELOW}), or they waited for workers for much of its wall time ({@link
   * #QUEUED_ABOVE}).
   */
  public boolean contended() {
    return coreWaitShare() > CORE_WAIT_ABOVE
        || cpuShare() < CONTENDED_BELOW
        || queuedShare() > QUEUED_ABOVE;
  }
}
