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
    List<HotMethod> topMethods) {
  public RunInfo {
    nums = List.copyOf(nums);
    topMethods = List.copyOf(topMethods);
  }
}
