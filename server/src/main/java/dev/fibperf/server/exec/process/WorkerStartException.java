package dev.fibperf.server.exec.process;

/**
 * A worker process could not be started (bad JVM options, no memory, a JVM that never said ready).
 * The pool tries again on the next call that needs it.
 */
public final class WorkerStartException extends RuntimeException {
  public WorkerStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
