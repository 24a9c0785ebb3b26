package dev.fibperf.server.exec;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A finished task and what it cost.
 *
 * @param index position in the request
 * @param n the Fibonacci input
 * @param value the kernel's result as the caller sees it (fib(n) in decimal for the built-ins)
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
 * @param coreWait how long the computing thread was runnable but without a core during {@code
 *     duration} (the scheduler's run delay, {@link CoreWait}); null where the OS does not say
 * @param wakeupCoreWait of {@code queueWait}, how long the pool thread that picked the task up had
 *     been runnable but without a core since its previous task: its wait for a core on being woken;
 *     null where the OS does not say
 * @param handoffCoreWait the pool thread's wait for a core during the hand-off round trip, outside
 *     {@code duration}: preemption, not transport; already taken out of {@code handoff}; null where
 *     the OS does not say
 */
public record TaskResult(
    int index,
    int n,
    String value,
    Duration duration,
    Duration cpuTime,
    String worker,
    Instant startTime,
    Duration queueWait,
    Duration handoff,
    List<String> failedAttempts,
    Duration coreWait,
    Duration wakeupCoreWait,
    Duration handoffCoreWait)
    implements TaskEvent {
  public TaskResult {
    failedAttempts = List.copyOf(failedAttempts);
  }

  /** A task that ran at its first attempt, where the OS reported no core wait. */
  public TaskResult(
      int index,
      int n,
      String value,
      Duration duration,
      Duration cpuTime,
      String worker,
      Instant startTime,
      Duration queueWait,
      Duration handoff) {
    this(
        index, n, value, duration, cpuTime, worker, startTime, queueWait, handoff, List.of(), null,
        null, null);
  }

  /**
   * All the task's waits for a core, wherever the OS measured them: computing, on being woken, and
   * during the hand-off; zero where it did not.
   */
  public Duration totalCoreWait() {
    Duration sum = Duration.ZERO;
    for (Duration part : new Duration[] {coreWait, wakeupCoreWait, handoffCoreWait}) {
      if (part != null) {
        sum = sum.plus(part);
      }
    }
    return sum;
  }

  /** How many times the task was handed to a worker: 1 unless a worker was lost under it. */
  public int attempts() {
    return failedAttempts.size() + 1;
  }
}
