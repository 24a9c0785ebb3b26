package dev.fibperf.server.analysis;

/** Whether a Compare's speedup can be read as a property of the tasks and the machine. */
public enum Verdict {
  /**
   * Both phases got their CPU and workers, the same tasks cost the same CPU in both, and the
   * speedup is within what the workers allow.
   */
  CLEAN,
  /** Other load shared the cores (the tasks waited for CPU) or the workers during a phase. */
  CONTENDED,
  /**
   * The same tasks cost markedly more CPU in one phase than in the other: the machine did less work
   * per CPU-second in that phase (a busy host, cores that share hardware, code still compiling).
   * The CPU clock cannot say which.
   */
  UNSTEADY,
  /** The speedup exceeds the worker count without a measured cause: not a clean measurement. */
  IMPLAUSIBLE,
  /**
   * A worker was lost during the parallel phase (a cluster peer died) and its tasks ran again on
   * the others: the phase's wall time holds the lost work, on fewer workers than it counted.
   */
  WORKER_LOST,
  /**
   * About a Compare's estimate over rounds: enough clean rounds, but their interval is wider than
   * the target precision (or there were too few of them for an interval): the figure is shown with
   * its interval, not as converged.
   */
  NOISY
}
