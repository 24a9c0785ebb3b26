package dev.fibperf.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of one run. Its times come from one clock on the server: {@code endTime - startTime
 * == wall}, and the caller waited {@code poolStartup + queueWait + wall} for it.
 *
 * @param results one per task, in input order
 * @param startTime when the first task reached a worker (UTC)
 * @param endTime when its last task finished (UTC)
 * @param wall the run's own time, without pool start-up or queue wait
 * @param taskTime the tasks' elapsed durations summed
 * @param cpuTime the tasks' CPU times summed, where the server could measure them
 * @param cpuShare cpu time / task time (0 when unknown)
 * @param contended whether other load shared the machine: the tasks got markedly less CPU than
 *     elapsed time, or waited long for workers behind other runs
 * @param workersUsed distinct workers that ran a task
 * @param parallelism most tasks allowed at once
 * @param poolCold whether this run created the server's worker pool
 * @param algorithm the kernel used
 * @param pool where the tasks ran
 * @param poolStartup from asking for the pool until the run could hand out tasks: the pool's
 *     start-up when cold, otherwise only the server's own set-up
 * @param queueWait time from the pool being ready to the first task reaching a worker
 * @param handoffPerTask mean time per task spent handing it over and back, beyond computing and
 *     without queue wait
 * @param taskQueueWait the tasks' waits for a worker behind other runs, summed (inside {@code
 *     wall})
 * @param runId the server's id for the run (both phases of a Compare share it)
 * @param tasksRerun tasks that ran more than once because their worker was lost
 * @param coreWait every wait for a core of the run's threads, summed (the tasks' own, on waking,
 *     during hand-offs, and the dispatcher's)
 * @param coreWaitShare {@code coreWait} / {@code wall}; above 0.05 the run is contended
 * @param dispatchCoreWait the dispatching threads' wait for a core (parallel runs)
 * @param coreWaitSource how core waits were measured: SCHEDSTAT (the Linux scheduler's run delay),
 *     ELAPSED_MINUS_CPU (no run delay from the OS), or NONE
 * @param freeWall the wall with its cores free: each worker's finish less its waits for a core
 *     inside the wall, the latest of them (assumes the same tasks in the same order per worker);
 *     {@code wall} unless the source is SCHEDSTAT; zero from servers that do not send it
 * @param kernel the kernel the tasks ran, e.g. {@code fib-naive}; empty from servers before kernels
 *     had names
 * @param kernelCache what the kernel's cache did, for a kernel that keeps one, on threads
 */
public record RunSummary(
    List<TaskFinished> results,
    Instant startTime,
    Instant endTime,
    Duration wall,
    Duration taskTime,
    Optional<Duration> cpuTime,
    double cpuShare,
    boolean contended,
    int workersUsed,
    int parallelism,
    boolean poolCold,
    Algorithm algorithm,
    PoolKind pool,
    Duration poolStartup,
    Duration queueWait,
    Duration handoffPerTask,
    Duration taskQueueWait,
    long runId,
    int tasksRerun,
    Duration coreWait,
    double coreWaitShare,
    Duration dispatchCoreWait,
    String coreWaitSource,
    Duration freeWall,
    String kernel,
    Optional<KernelCache> kernelCache)
    implements FibEvent {
  public RunSummary {
    results = List.copyOf(results);
  }
}
