package dev.fibperf.server.exec;

import dev.fibperf.server.compute.Algorithm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
    Duration handoffPerTask) {
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

  public RunResult {
    results = List.copyOf(results);
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

  /** The tasks' queue waits summed: time they waited for a worker behind other runs. */
  public Duration taskQueueWait() {
    Duration sum = Duration.ZERO;
    for (TaskResult r : results) {
      sum = sum.plus(r.queueWait());
    }
    return sum;
  }

  /** {@link #taskQueueWait()} / wall, or 0 for an empty run. */
  public double queuedShare() {
    return wall.isZero() ? 0 : (double) taskQueueWait().toNanos() / wall.toNanos();
  }

  /**
   * Whether other load shared the machine with this run: its tasks got markedly less CPU than
   * elapsed time ({@link #CONTENDED_BELOW}), or waited for workers behind other runs for much of
   * its wall time ({@link #QUEUED_ABOVE}).
   */
  public boolean contended() {
    return cpuShare() < CONTENDED_BELOW || queuedShare() > QUEUED_ABOVE;
  }
}
