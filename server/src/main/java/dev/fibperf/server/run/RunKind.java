package dev.fibperf.server.run;

/** What a caller asked for: the four RPCs of the contract, as run compositions. */
public enum RunKind {
  /** The tasks one after another, in input order: the baseline. */
  SERIAL,
  /** The tasks on up to {@code parallelism} workers, largest first. */
  PARALLEL,
  /** The serial baseline under the sampling profiler. */
  PROFILE_SERIAL,
  /** The serial phase, then the parallel phase, then what the speedup means. */
  COMPARE
}
