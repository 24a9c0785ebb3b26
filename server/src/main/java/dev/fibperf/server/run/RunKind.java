package dev.fibperf.server.run;

/** What a caller asked for: the four RPCs of the contract, as run compositions. */
public enum RunKind {
  /** The tasks one after another, in input order: the baseline. */
  SERIAL("Serial"),
  /** The tasks on up to {@code parallelism} workers, largest first. */
  PARALLEL("Parallel"),
  /** The serial baseline under the sampling profiler. */
  PROFILE_SERIAL("ProfileSerial"),
  /** The serial phase, then the parallel phase, then what the speedup means. */
  COMPARE("Compare");

  private final String displayName;

  RunKind(String displayName) {
    this.displayName = displayName;
  }

  /** The RPC's name, as logs and metrics show it. */
  public String displayName() {
    return displayName;
  }
}
