package dev.fibperf.server.exec;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import java.util.List;
import java.util.function.Consumer;

/**
 * Computes one task on the calling pool thread: in this JVM, or by handing it to the worker process
 * that the thread stands for. Tests hand the pools a fake (constant-time, latch-controlled) one.
 */
@FunctionalInterface
public interface TaskKernel {
  /**
   * The value, and how long computing it took where it was computed (without any hand-off).
   *
   * @param value the kernel's result as the caller sees it
   * @param timing elapsed and CPU time of the computation itself
   * @param worker who computed it when that is not the calling pool thread (a peer's thread on the
   *     cluster pool), else null
   * @param remoteQueueNanos how long the task waited for a worker where it was sent (a busy peer),
   *     before {@code timing}; 0 where it was not sent anywhere
   * @param failedAttempts why each earlier attempt at the task failed (its worker was lost), in
   *     order; empty when the first attempt succeeded
   * @param onCallingThread whether the calling pool thread itself computed it (so {@code timing}'s
   *     core wait is part of the thread's own)
   */
  record Result(
      String value,
      TaskTiming timing,
      String worker,
      long remoteQueueNanos,
      List<String> failedAttempts,
      boolean onCallingThread) {
    public Result {
      failedAttempts = List.copyOf(failedAttempts);
    }

    /** Computed at the first attempt by the process the calling pool thread stands for. */
    public Result(String value, TaskTiming timing) {
      this(value, timing, null, 0, List.of(), false);
    }

    /** Computed by the calling pool thread itself. */
    public static Result onCallingThread(String value, TaskTiming timing) {
      return new Result(value, timing, null, 0, List.of(), true);
    }
  }

  /** Computes in this JVM, on the calling thread. */
  TaskKernel IN_PROCESS =
      new TaskKernel() {
        @Override
        public Result compute(
            Algorithm algorithm, Task task, CancellationToken token, TaskContext context) {
          TaskTiming.Timed<String> computed =
              TaskTiming.of(() -> algorithm.compute(task.n(), token));
          return Result.onCallingThread(computed.value(), computed.timing());
        }

        @Override
        public boolean measuresLeadIn() {
          return true;
        }
      };

  /**
   * Whether every result's timing carries the calling thread's lead-in core wait ({@link
   * TaskTiming#leadInCoreWaitNanos()}), so the pool thread need not read its own around the call.
   */
  default boolean measuresLeadIn() {
    return false;
  }

  /**
   * @throws java.util.concurrent.CancellationException if {@code token} is cancelled first
   */
  Result compute(Algorithm algorithm, Task task, CancellationToken token, TaskContext context);

  /**
   * Computes, telling {@code startedOn} the name of the worker the task starts on as soon as it has
   * one: the calling pool thread, at once, unless the kernel sends the task elsewhere (the cluster
   * pool names the peer's worker once it has taken one). Called at most once; a task that never
   * reaches a worker (cancelled while waiting for one) does not call it.
   */
  default Result compute(
      Algorithm algorithm,
      Task task,
      CancellationToken token,
      TaskContext context,
      Consumer<String> startedOn) {
    startedOn.accept(Thread.currentThread().getName());
    return compute(algorithm, task, token, context);
  }
}
