package dev.fibperf.server.exec.process;

/** A worker process died (killed, out of memory, crashed) while it ran a task. */
public final class WorkerDiedException extends RuntimeException {
  public WorkerDiedException(String message) {
    super(message);
  }
}
