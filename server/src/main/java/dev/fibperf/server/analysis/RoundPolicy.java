package dev.fibperf.server.analysis;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How many rounds a Compare runs: after its warm-up, its two phases run as repeated rounds in a
 * balanced order (serial first, then parallel first, and so on: ABBA), so drift in the machine
 * weighs on both phases alike.
 *
 * @param rounds a fixed number of rounds, or 0 for as many as it takes to reach {@code
 *     targetPrecision} within {@code budget}
 * @param budget how long the rounds may take when {@code rounds} is 0: no round starts that is
 *     expected to end past it (the first always runs)
 * @param targetPrecision stop once the 95 % interval's half-width is at most this fraction of the
 *     estimate ({@code rounds} 0 only)
 * @param seed the bootstrap's seed; 0 for the run's id
 * @param roundLimit the most rounds {@code rounds} 0 may run: {@link #MAX_ROUNDS}, or fewer where
 *     the server's per-request work limit allows fewer
 * @param sweep whether every round also runs the parallel phase at 1, 2, ... P - 1 workers: the
 *     scaling curve
 */
public record RoundPolicy(
    int rounds, Duration budget, double targetPrecision, long seed, int roundLimit, boolean sweep) {
  /** The most rounds a Compare runs. */
  public static final int MAX_ROUNDS = 100;

  /** The clean rounds a clean (converged) estimate needs. */
  public static final int MIN_CLEAN_ROUNDS = 10;

  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(3);
  public static final Duration MAX_BUDGET = Duration.ofMinutes(10);
  public static final double DEFAULT_TARGET_PRECISION = 0.03;
  public static final double MAX_TARGET_PRECISION = 0.5;

  /** Why a Compare stopped adding rounds. */
  public enum StopReason {
    /** It ran the rounds asked for. */
    ROUNDS_DONE,
    /** The interval reached the target precision. */
    TARGET_MET,
    /** Another round would have run past the budget. */
    BUDGET_SPENT,
    /** It ran {@link #MAX_ROUNDS}, or the fewer rounds the work limit allows. */
    ROUND_LIMIT;

    /** Lower-case words, for notes. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
  }

  public RoundPolicy {
    Objects.requireNonNull(budget, "budget");
    if (rounds < 0 || rounds > MAX_ROUNDS) {
      throw new IllegalArgumentException("rounds=" + rounds + " must be 0.." + MAX_ROUNDS);
    }
    if (roundLimit < 1 || roundLimit > MAX_ROUNDS) {
      throw new IllegalArgumentException("roundLimit=" + roundLimit + " must be 1.." + MAX_ROUNDS);
    }
  }

  /** The same policy with the bootstrap seeded by {@code seed} if it has no seed of its own. */
  public RoundPolicy seededBy(long seed) {
    return this.seed != 0
        ? this
        : new RoundPolicy(rounds, budget, targetPrecision, seed, roundLimit, sweep);
  }

  /** Without a scaling curve. */
  public RoundPolicy(
      int rounds, Duration budget, double targetPrecision, long seed, int roundLimit) {
    this(rounds, budget, targetPrecision, seed, roundLimit, false);
  }

  /** Adaptive rounds with the defaults. */
  public static RoundPolicy defaults(long seed) {
    return new RoundPolicy(0, DEFAULT_BUDGET, DEFAULT_TARGET_PRECISION, seed, MAX_ROUNDS);
  }

  /** One round: a single sample of each phase. */
  public static RoundPolicy single() {
    return new RoundPolicy(1, DEFAULT_BUDGET, DEFAULT_TARGET_PRECISION, 0, MAX_ROUNDS);
  }

  private boolean meets(RatioInterval estimate) {
    return estimate.pairs() >= MIN_CLEAN_ROUNDS
        && estimate.hasInterval()
        && estimate.relativeHalfWidth() <= targetPrecision;
  }

  /**
   * Whether to stop after {@code done} rounds that took {@code spent}, given the estimate so far
   * and the one a round before (null after the first).
   */
  public Optional<StopReason> stopAfter(
      int done, Duration spent, RatioInterval estimate, RatioInterval previous) {
    if (rounds > 0) {
      return done >= rounds ? Optional.of(StopReason.ROUNDS_DONE) : Optional.empty();
    }
    if (done >= roundLimit) {
      return Optional.of(StopReason.ROUND_LIMIT);
    }
    // Met after two rounds in a row: stopping the first time an interval happens to be narrow
    // would favour narrow intervals, and they cover the truth less often (RoundsCoverageTest).
    if (meets(estimate) && previous != null && meets(previous)) {
      return Optional.of(StopReason.TARGET_MET);
    }
    Duration perRound = spent.dividedBy(Math.max(1, done));
    if (spent.plus(perRound).compareTo(budget) > 0) {
      return Optional.of(StopReason.BUDGET_SPENT);
    }
    return Optional.empty();
  }
}
