package dev.fibperf.server.exec;

/**
 * What a kernel needs to know about the run a task belongs to, passed with every task (never
 * through thread-locals).
 *
 * @param remoteProfileSession the worker-process profiling session that samples this task, or 0
 */
public record TaskContext(long remoteProfileSession) {
  /** A task nobody profiles remotely. */
  public static final TaskContext NONE = new TaskContext(0);
}
