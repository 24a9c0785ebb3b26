package dev.fibperf.client;

/** Where a run is in its life. */
public enum RunState {
  /** Admitted: waiting for workers, warming up, or computing. */
  RUNNING,
  SUCCEEDED,
  /** Ended with an error status. */
  FAILED,
  /** Its caller left, its deadline passed, or the server drained. */
  CANCELLED
}
