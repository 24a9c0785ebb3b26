package dev.fibperf.client;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the server knows of one run, whoever started it.
 *
 * @param runId the server's id for it
 * @param method the RPC that started it
 * @param nums its inputs, after defaults
 * @param algorithm its kernel
 * @param pool where it runs
 * @param parallelism most tasks in flight in its parallel phase
 * @param state where it is in its life
 * @param tasksDone tasks finished over all phases
 * @param tasksTotal tasks to do over all phases (a Compare does each twice)
 * @param phase the phase running now or last (Compare only)
 * @param acceptedTime when the server admitted it
 * @param endTime when it ended
 * @param statusCode for a failed or cancelled run, the gRPC status its caller got
 * @param statusMessage that status's message
 * @param summary a finished Serial, Parallel or ProfileSerial's summary
 * @param comparison a finished Compare's comparison (without profiles)
 * @param topMethods a profiled run's top self methods, latest first available
 * @param coordinatorRun for a task another replica's cluster pool sent this server: whose run it is
 *     part of
 */
public record RunInfo(
    long runId,
    RunMethod method,
    List<Integer> nums,
    Algorithm algorithm,
    PoolKind pool,
    int parallelism,
    RunState state,
    int tasksDone,
    int tasksTotal,
    Optional<Phase> phase,
    Instant acceptedTime,
    Optional<Instant> endTime,
    Optional<String> statusCode,
    Optional<String> statusMessage,
    Optional<RunSummary> summary,
    Optional<Comparison> comparison,
    List<HotMethod> topMethods,
    Optional<CoordinatorRun> coordinatorRun) {
  public RunInfo {
    nums = List.copyOf(nums);
    topMethods = List.copyOf(topMethods);
  }

  /**
   * A run on another replica that handed one of its tasks to this server (the cluster pool).
   *
   * @param coordinator that replica's address, as the task's call came from it
   * @param runId the run's id there
   */
  public record CoordinatorRun(String coordinator, long runId) {}

  /** A run of this server's own caller (the form before {@code coordinatorRun}). */
  public RunInfo(
      long runId,
      RunMethod method,
      List<Integer> nums,
      Algorithm algorithm,
      PoolKind pool,
      int parallelism,
      RunState state,
      int tasksDone,
      int tasksTotal,
      Optional<Phase> phase,
      Instant acceptedTime,
      Optional<Instant> endTime,
      Optional<String> statusCode,
      Optional<String> statusMessage,
      Optional<RunSummary> summary,
      Optional<Comparison> comparison,
      List<HotMethod> topMethods) {
    this(
        runId,
        method,
        nums,
        algorithm,
        pool,
        parallelism,
        state,
        tasksDone,
        tasksTotal,
        phase,
        acceptedTime,
        endTime,
        statusCode,
        statusMessage,
        summary,
        comparison,
        topMethods,
        Optional.empty());
  }
}
