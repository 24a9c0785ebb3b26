package dev.fibperf.client;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A task finished.
 *
 * @param phase the run it belongs to
 * @param index position in the request's nums
 * @param n the input
 * @param value the kernel's result as the server shows it: fib(n) in decimal for the built-in
 *     kernels; a loaded kernel's text, or its bytes in lower-case hex
 * @param duration elapsed time of the computation where it ran
 * @param cpuTime CPU time the computing thread got over that span, where measurable
 * @param worker the worker's name
 * @param startTime when a worker picked it up (UTC)
 * @param queueWait time it waited for a worker behind other runs' tasks
 * @param handoff time beyond computing from pick-up to result (hand-off, serialisation, IPC, the
 *     network on the cluster pool with any failed attempt)
 * @param failedAttempts why each earlier attempt failed (on the cluster pool, a peer that died
 *     under the task); empty when the first attempt succeeded
 * @param coreWait how long the computing thread was runnable without a core during {@code duration}
 *     (the Linux scheduler's run delay), where the server's OS reports it
 * @param wakeupCoreWait of {@code queueWait}, the picking-up thread's wait for a core on waking
 * @param handoffCoreWait the pool thread's wait for a core during the hand-off (not in {@code
 *     handoff})
 */
public record TaskFinished(
    Phase phase,
    int index,
    int n,
    String value,
    Duration duration,
    Optional<Duration> cpuTime,
    String worker,
    Instant startTime,
    Duration queueWait,
    Duration handoff,
    List<String> failedAttempts,
    Optional<Duration> coreWait,
    Optional<Duration> wakeupCoreWait,
    Optional<Duration> handoffCoreWait)
    implements FibEvent {
  /**
   * {@link #value()} as a number: fib(n) for the built-in kernels.
   *
   * @throws NumberFormatException if the kernel's result is not a decimal integer
   */
  public BigInteger number() {
    return new BigInteger(value);
  }

  public TaskFinished {
    failedAttempts = List.copyOf(failedAttempts);
  }

  /** How many times the task was handed to a worker: 1 unless one was lost under it. */
  public int attempts() {
    return failedAttempts.size() + 1;
  }
}
