package dev.fibperf.client;

import java.util.Optional;

/**
 * A run judged against a baseline, an earlier run of the same workload ({@link
 * FibPerfClient#compareRuns}), or the runs of one label against those of another ({@link
 * FibPerfClient#compareLabels}).
 *
 * @param runId the run judged (0 for labelled sets)
 * @param baselineRunId its baseline (0 for labelled sets)
 * @param label the label of the runs judged (empty for two runs)
 * @param baselineLabel the label of the baseline's runs (empty for two runs)
 * @param runs how many runs carry {@code label}
 * @param baselineRuns how many carry {@code baselineLabel}
 * @param workload what all of them ran: method, kernel, pool, parallelism and nums
 * @param speedup the Compares' speedups, run / baseline; empty unless both are Compares
 * @param serialCost the serial phase's cost, run / baseline (below 1 is faster); empty for sets
 * @param parallelWall the parallel phase's wall, run / baseline; empty for single-phase runs
 * @param callWall for labelled sets: each run's wall, the set's mean over the baseline set's
 */
public record RunChange(
    long runId,
    long baselineRunId,
    String label,
    String baselineLabel,
    int runs,
    int baselineRuns,
    String workload,
    Optional<Change> speedup,
    Optional<Change> serialCost,
    Optional<Change> parallelWall,
    Optional<Change> callWall) {

  /**
   * One figure's change, like criterion's: a ratio with its confidence interval, and a verdict that
   * calls a change only when the whole interval lies beyond the noise threshold.
   *
   * @param ratio run / baseline
   * @param low the interval's lower end; NaN with too few samples
   * @param high its upper end; NaN with too few samples
   * @param samples the run's samples (rounds, or tasks of a single-phase run)
   * @param noiseThreshold a change within 1 ± this is called no change
   */
  public record Change(
      double ratio,
      double low,
      double high,
      double confidence,
      int samples,
      int baselineSamples,
      double noiseThreshold,
      Verdict verdict) {
    public boolean hasInterval() {
      return !Double.isNaN(low);
    }
  }

  /** What the interval says. */
  public enum Verdict {
    /** A cost or wall went down beyond the noise. */
    FASTER,
    /** A cost or wall went up beyond the noise. */
    SLOWER,
    /** A speedup went up beyond the noise. */
    HIGHER,
    /** A speedup went down beyond the noise. */
    LOWER,
    /** The interval reaches within the noise threshold of no change. */
    NO_DETECTABLE_CHANGE,
    /** Fewer than five samples on a side: no interval, no verdict. */
    TOO_FEW_SAMPLES
  }
}
