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
   * The value, and the nanoseconds spent computing it (without any hand-off).
   *
   * @param value fib(n)
   * @param computeNanos time the computation itself took
   */
  record Result(BigInteger value, long computeNanos) {}

  /** Computes in this JVM, on the calling thread. */
  TaskKernel IN_PROCESS =
      (algorithm, task, token, context) -> {
        long t0 = System.nanoTime();
        BigInteger value = algorithm.compute(task.n(), token);
        return new Result(value, System.nanoTime() - t0);
      };

  /**
   * @throws java.util.concurrent.CancellationException if {@code token} is cancelled first
   */
  Result compute(Algorithm algorithm, Task task, CancellationToken token, TaskContext context);
}
