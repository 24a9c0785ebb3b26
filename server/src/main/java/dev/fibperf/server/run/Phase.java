package dev.fibperf.server.run;

/** One pass over a run's tasks. Serial and profiled runs have one phase; Compare has both. */
public enum Phase {
  /** One task at a time, in input order, on the thread pool. */
  SERIAL,
  /** Up to the run's parallelism at once, largest first, on the pool the caller chose. */
  PARALLEL
}
