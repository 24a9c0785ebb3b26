package dev.fibperf.server.exec;

/**
 * Wraps the computation of one task on its worker thread, e.g. to mark the task's time window for a
 * profiler. Must run {@code body} exactly once, on the calling thread.
 */
@FunctionalInterface
public interface TaskWindow {
  TaskWindow NONE = (task, body) -> body.run();

  void around(Task task, Runnable body);
}
