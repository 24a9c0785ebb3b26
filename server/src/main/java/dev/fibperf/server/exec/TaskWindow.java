package dev.fibperf.server.exec;

import java.util.function.Supplier;

/**
 * Wraps the computation of one task on its worker thread, e.g. to mark the task's time window for a
 * profiler. Must call {@code compute} exactly once, on the calling thread, and return its result.
 */
@FunctionalInterface
public interface TaskWindow {
  TaskWindow NONE = (task, compute) -> compute.get();

  TaskKernel.Result around(Task task, Supplier<TaskKernel.Result> compute);
}
