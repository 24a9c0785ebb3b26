package dev.fibperf.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one run.
 *
 * @param results one per task, in input order
 * @param startTime when the run started (UTC)
 * @param endTime when its last task finished (UTC)
 * @param wall what the caller waited
 * @param taskTime the tasks' durations summed
 * @param workersUsed distinct workers that ran a task
 * @param parallelism most tasks allowed at once
 * @param poolCold whether this run had to create the server's worker pool
 * @param algorithm the kernel used
 * @param pool where the tasks ran
 * @param dispatchCostPerTask mean time per task spent handing it over and back, beyond computing
 */
public record RunSummary(
    List<TaskFinished> results,
    Instant startTime,
    Instant endTime,
    Duration wall,
    Duration taskTime,
    int workersUsed,
    int parallelism,
    boolean poolCold,
    Algorithm algorithm,
    PoolKind pool,
    Duration dispatchCostPerTask)
    implements FibEvent {
  public RunSummary {
    results = List.copyOf(results);
  }
}
