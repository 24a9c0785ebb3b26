package dev.fibperf.server.exec;

/**
 * What a kernel needs to know about the run a task belongs to, passed with every task (never
 * through thread-locals).
 *
 * @param remoteProfileSession the worker-process profiling session that samples this task, or 0
 * @param deadlineNanoTime when the run's caller stops waiting, on {@link System#nanoTime()}'s
 *     clock, or {@link #NO_DEADLINE}: a kernel that sends the task elsewhere passes it on
 * @param runId the run's id, which a kernel that sends the task to another replica tells it (so
 *     that replica can show whose task it runs); 0 when unknown
 */
public record TaskContext(long remoteProfileSession, long deadlineNanoTime, long runId) {
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  /** A task nobody profiles remotely and nobody waits for with a deadline. */
  public static final TaskContext NONE = new TaskContext(0, NO_DEADLINE, 0);

  /** A task sampled by a worker-process profiling session. */
  public TaskContext(long remoteProfileSession) {
    this(remoteProfileSession, NO_DEADLINE, 0);
  }

  public TaskContext withDeadline(long nanoTime) {
    return new TaskContext(remoteProfileSession, nanoTime, runId);
  }

  public TaskContext withRunId(long id) {
    return new TaskContext(remoteProfileSession, deadlineNanoTime, id);
  }

  public boolean hasDeadline() {
    return deadlineNanoTime != NO_DEADLINE;
  }
}
