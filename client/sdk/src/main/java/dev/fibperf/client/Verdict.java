package dev.fibperf.client;

/** Whether a Compare's speedup can be read as a property of the tasks and the machine. */
public enum Verdict {
  /** Both phases had their cores and the speedup is within the worker count. */
  CLEAN,
  /** Other load shared the cores during a phase. */
  CONTENDED,
  /** The same tasks cost markedly more CPU in one phase: the machine's speed changed. */
  UNSTEADY,
  /** The speedup exceeds the worker count without a measured cause. */
  IMPLAUSIBLE,
  /**
   * A worker was lost during the parallel phase (a cluster peer died) and its tasks ran again: the
   * speedup understates what the workers give.
   */
  WORKER_LOST,
  /**
   * About a Compare's estimate over rounds: its interval did not reach the target precision within
   * the budget (or too few clean rounds for an interval).
   */
  NOISY,
  /** A verdict this SDK does not know (a newer server). */
  UNKNOWN
}
