package dev.fibperf.server.exec;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import java.math.BigInteger;

/**
 * Computes one task on the calling pool thread: in this JVM, or by handing it to the worker process
 * that the thread stands for. Tests hand the pools a fake (constant-time, latch-controlled) one.
 */
@FunctionalInterface
public interface TaskKernel {
  /**
   * The value, and how long computing it took where it was computed (without any hand-off).
   *
   * @param value fib(n)
   * @param timing elapsed and CPU time of the computation itself
   */
  record Result(BigInteger value, TaskTiming timing) {}

  /** Computes in this JVM, on the calling thread. */
  TaskKernel IN_PROCESS =
      (algorithm, task, token, context) -> {
        BigInteger[] value = new BigInteger[1];
        TaskTiming timing = TaskTiming.of(() -> value[0] = algorithm.compute(task.n(), token));
        return new Result(value[0], timing);
      };

  /**
   * @throws java.util.concurrent.CancellationException if {@code token} is cancelled first
   */
  Result compute(Algorithm algorithm, Task task, CancellationToken token, TaskContext context);
}
