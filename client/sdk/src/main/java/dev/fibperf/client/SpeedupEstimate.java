package dev.fibperf.client;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One estimate from a Compare's clean rounds, with its 95 % confidence interval.
 *
 * @param speedup the sum of the clean rounds' serial walls over the sum of their parallel walls
 * @param speedupLow the interval's lower end; empty with fewer than 5 clean rounds
 * @param speedupHigh the interval's upper end; empty likewise
 * @param attainment the sum of the clean rounds' optimal makespans over their parallel walls
 * @param attainmentLow the interval's lower end; empty likewise
 * @param attainmentHigh the interval's upper end; empty likewise
 * @param rounds rounds run
 * @param roundsUsed rounds in the estimate
 * @param exclusions the rounds left out per measured cause, e.g. "core wait 2"; empty when none
 * @param relativeHalfWidth the interval's half-width over the estimate; 0 without an interval
 * @param targetPrecision what was asked for
 * @param stopReason why no further round ran: ROUNDS_DONE, TARGET_MET, BUDGET_SPENT or ROUND_LIMIT
 * @param seed the bootstrap's seed
 * @param parallelCoreWaitShare the mean of the rounds' parallel-phase core-wait shares
 * @param roundsDuration from the first round's start to the last round's end
 * @param coreWaitRemoved present only on a contended Compare (too few clean rounds): the speedup
 *     free cores would have given, from each phase's {@link RunSummary#freeWall()}
 * @param acrossCompares present once the server has kept at least 4 Compares of this workload and
 *     label (this one included): where the next one would land
 */
public record SpeedupEstimate(
    double speedup,
    OptionalDouble speedupLow,
    OptionalDouble speedupHigh,
    double attainment,
    OptionalDouble attainmentLow,
    OptionalDouble attainmentHigh,
    int rounds,
    int roundsUsed,
    String exclusions,
    double relativeHalfWidth,
    double targetPrecision,
    String stopReason,
    long seed,
    double parallelCoreWaitShare,
    Duration roundsDuration,
    Optional<CoreWaitRemoved> coreWaitRemoved,
    Optional<AcrossCompares> acrossCompares) {
  /**
   * A speedup with every measured wait for a core taken out of both phases: a model (each worker
   * runs the same tasks in the same order), blind to load that slows a thread without taking its
   * core.
   *
   * @param speedup the ratio of the summed free walls, serial over parallel
   * @param low the 95 % interval's lower end; empty with fewer than 5 rounds
   * @param high its upper end; empty likewise
   * @param roundsUsed the clean rounds and those left out only for waiting for a core
   */
  public record CoreWaitRemoved(
      double speedup, OptionalDouble low, OptionalDouble high, int roundsUsed) {}

  /**
   * The level above the rounds: this server's recent Compares of the same workload and label, each
   * taken as one repetition of the whole measurement. This Compare's own interval is about its
   * rounds; on a shared host whole Compares spread wider than that.
   *
   * @param compares how many Compares, this one included (at most 10)
   * @param low the 95 % prediction interval for the next Compare's headline speedup (the estimate
   *     when clean or noisy, the core-wait-removed one when contended)
   * @param high its upper end
   * @param spread the standard deviation of their log speedups (0.04: about 4 %)
   * @param typical their geometric mean
   */
  public record AcrossCompares(
      int compares, double low, double high, double spread, double typical) {}

  /** Rounds left out of the estimate. */
  public int roundsExcluded() {
    return rounds - roundsUsed;
  }
}
