package dev.fibperf.server.exec;

/**
 * Receives a run's events. Called from worker threads, never while the run holds its lock, so an
 * implementation may call back into the run ({@link Run#resume()}, {@link Run#cancel()}).
 *
 * <p>For each task, {@link #onTaskStarted} happens before {@link #onTaskFinished}; every {@link
 * #onTaskFinished} returns before the single terminal call, {@link #onCompleted} or {@link
 * #onFailed}.
 */
public interface RunListener {
  void onTaskStarted(TaskStart start);

  void onTaskFinished(TaskResult result);

  /** Every task finished. */
  void onCompleted(RunResult result);

  /**
   * The run stopped early: a {@link java.util.concurrent.CancellationException} after {@link
   * Run#cancel()}, a {@link java.util.concurrent.RejectedExecutionException} if the pool shut down,
   * or the exception a task threw. No worker is still running one of its tasks.
   */
  void onFailed(Throwable cause);
}
