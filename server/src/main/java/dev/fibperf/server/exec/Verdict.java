package dev.fibperf.server.exec;

/** Whether a Compare's speedup can be read as a property of the tasks and the machine. */
public enum Verdict {
  /** Both phases got their CPU and the speedup is within what the workers allow. */
  CLEAN,
  /** A phase's tasks got markedly less CPU than elapsed time: other load shared the cores. */
  CONTENDED,
  /** The serial phase spent markedly more CPU per task than the parallel one: code was warming. */
  COLD,
  /** The speedup exceeds the worker count without a measured cause: not a clean measurement. */
  IMPLAUSIBLE
}
