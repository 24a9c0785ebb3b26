package dev.fibperf.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a Compare measures.
 *
 * @param profile whether to profile both phases too (the first round's)
 * @param exclusive whether to hold the server's workers alone while measuring (the default): the
 *     Compare waits for runs in flight, and later runs wait for it. {@code false} runs beside other
 *     calls; the server then measures and flags contention.
 * @param schedule how the parallel phase orders its tasks
 * @param rounds rounds of the two phases (serial and parallel alternating, ABBA): 0 (the default)
 *     for as many as reach {@code targetPrecision} within {@code budget}; 1 for a single sample
 * @param budget with {@code rounds} 0, how long the rounds may take; null for the server's default
 *     (3 s)
 * @param targetPrecision with {@code rounds} 0, the 95 % interval's half-width to stop at, as a
 *     fraction of the estimate; 0 for the server's default (0.03)
 * @param seed the bootstrap's seed, so an interval can be reproduced; 0 for the run's id
 * @param sweep whether to measure the scaling curve too: every round also runs the parallel phase
 *     at 1, 2, ... workers ({@link Comparison#scaling()})
 */
public record CompareOptions(
    boolean profile,
    boolean exclusive,
    Schedule schedule,
    int rounds,
    Duration budget,
    double targetPrecision,
    long seed,
    boolean sweep) {
  /** Unprofiled, exclusive, on the measured-optimal schedule, rounds until ±3 % or 3 s. */
  public static final CompareOptions DEFAULT =
      new CompareOptions(false, true, Schedule.MEASURED_OPTIMAL);

  public CompareOptions {
    Objects.requireNonNull(schedule, "schedule");
    if (rounds < 0) {
      throw new IllegalArgumentException("rounds=" + rounds + " must not be negative");
    }
  }

  /** The server's defaults for rounds, budget, precision and seed. */
  public CompareOptions(boolean profile, boolean exclusive, Schedule schedule) {
    this(profile, exclusive, schedule, 0, null, 0, 0, false);
  }

  public CompareOptions withProfile(boolean profile) {
    return new CompareOptions(
        profile, exclusive, schedule, rounds, budget, targetPrecision, seed, sweep);
  }

  public CompareOptions withExclusive(boolean exclusive) {
    return new CompareOptions(
        profile, exclusive, schedule, rounds, budget, targetPrecision, seed, sweep);
  }

  public CompareOptions withSchedule(Schedule schedule) {
    return new CompareOptions(
        profile, exclusive, schedule, rounds, budget, targetPrecision, seed, sweep);
  }

  /** Exactly {@code rounds} rounds; 0 for as many as the precision target needs. */
  public CompareOptions withRounds(int rounds) {
    return new CompareOptions(
        profile, exclusive, schedule, rounds, budget, targetPrecision, seed, sweep);
  }

  public CompareOptions withBudget(Duration budget) {
    return new CompareOptions(
        profile, exclusive, schedule, rounds, budget, targetPrecision, seed, sweep);
  }

  public CompareOptions withTargetPrecision(double targetPrecision) {
    return new CompareOptions(
        profile, exclusive, schedule, rounds, budget, targetPrecision, seed, sweep);
  }

  /** Measures the scaling curve too ({@link Comparison#scaling()}). */
  public CompareOptions withSweep(boolean sweep) {
    return new CompareOptions(
        profile, exclusive, schedule, rounds, budget, targetPrecision, seed, sweep);
  }

  public CompareOptions withSeed(long seed) {
    return new CompareOptions(
        profile, exclusive, schedule, rounds, budget, targetPrecision, seed, sweep);
  }
}
