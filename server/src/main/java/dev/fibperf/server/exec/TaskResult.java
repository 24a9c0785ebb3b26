package dev.fibperf.server.exec;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A finished task and what it cost.
 *
 * @param index position in the request
 * @param n the Fibonacci input
 * @param value fib(n)
 * @param duration elapsed time of the computation where it ran, without any hand-off
 * @param cpuTime CPU time the computing thread got over that span (measured inside the worker
 *     process on the process pool); null where the JVM cannot measure it
 * @param worker the worker's name
 * @param startTime when a worker picked the task up (UTC, on the run's clock)
 * @param queueWait from when the run handed the task to the pool until a worker picked it up:
 *     waiting behind other runs' tasks, and an idle worker's wake-up (tens of microseconds)
 * @param handoff the round trip to the kernel minus {@code duration} and any queueing where it was
 *     sent: serialisation and IPC on worker processes, the network on the cluster pool (with every
 *     failed attempt's time), next to nothing on threads
 * @param failedAttempts why each earlier attempt failed (its worker was lost), in order
 */
public record TaskResult(
    int index,
    int n,
    BigInteger value,
    Duration duration,
    Duration cpuTime,
    String worker,
    Instant startTime,
    Duration queueWait,
    Duration handoff,
    List<String> failedAttempts)
    implements TaskEvent {
  public TaskResult {
    failedAttempts = List.copyOf(failedAttempts);
  }

  /** A task that ran at its first attempt. */
  public TaskResult(
      int index,
      int n,
      BigInteger value,
      Duration duration,
      Duration cpuTime,
      String worker,
      Instant startTime,
      Duration queueWait,
      Duration handoff) {
    this(index, n, value, duration, cpuTime, worker, startTime, queueWait, handoff, List.of());
  }

  /** How many times the task was handed to a worker: 1 unless a worker was lost under it. */
  public int attempts() {
    return failedAttempts.size() + 1;
  }
}
