package dev.fibperf.server.exec;

import dev.fibperf.server.compute.Algorithm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of a whole run.
 *
 * @param results one per task, in input order
 * @param startTime when the run started (UTC)
 * @param endTime when its last task finished (UTC)
 * @param wall what the caller waited, measured on the monotonic clock
 * @param taskTime the tasks' durations summed
 * @param workersUsed distinct workers that ran a task
 * @param parallelism most tasks allowed in flight
 * @param poolCold whether this run created the pool
 * @param algorithm the kernel used
 * @param pool where the tasks ran
 * @param dispatchCostPerTask mean hand-off time per task beyond the computation
 */
public record RunResult(
    List<TaskResult> results,
    Instant startTime,
    Instant endTime,
    Duration wall,
    Duration taskTime,
    int workersUsed,
    int parallelism,
    boolean poolCold,
    Algorithm algorithm,
    PoolKind pool,
    Duration dispatchCostPerTask) {
  public RunResult {
    results = List.copyOf(results);
  }
}
