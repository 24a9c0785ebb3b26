package dev.fibperf.server.history;

import java.time.Duration;

/**
 * How much history to keep; runs beyond any of the three limits are deleted, oldest first.
 *
 * @param maxRuns most runs
 * @param maxAge oldest run, by its end
 * @param maxBytes most stored bytes (each run's RunInfo and profiles, as kept)
 */
public record Retention(int maxRuns, Duration maxAge, long maxBytes) {
  public static final int DEFAULT_MAX_RUNS = 100_000;
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(90);
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  public static final Retention DEFAULT =
      new Retention(DEFAULT_MAX_RUNS, DEFAULT_MAX_AGE, DEFAULT_MAX_BYTES);

  public Retention {
    if (maxRuns < 1) {
      throw new IllegalArgumentException("historyMaxRuns=" + maxRuns + " must be at least 1");
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("historyMaxAge=" + maxAge + " must be positive");
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("historyMaxBytes=" + maxBytes + " must be at least 1");
    }
  }
}
