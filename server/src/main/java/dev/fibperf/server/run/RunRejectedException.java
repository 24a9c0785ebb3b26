package dev.fibperf.server.run;

/** A run was not admitted: it did no work and holds nothing. */
public final class RunRejectedException extends Exception {
  /** Why it was refused. */
  public enum Reason {
    /** Every run slot is taken; retrying later can succeed. */
    AT_CAPACITY,
    /** The server is draining; retry on another instance. */
    DRAINING,
    /** A run that must start at once met an exclusive run holding or waiting for the workers. */
    EXCLUSIVE_RUN
  }

  private final Reason reason;

  RunRejectedException(Reason reason, String message) {
    // No stack trace: refusals are expected under load and must stay cheap.
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
