package dev.fibperf.client;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the parallel run achieved against the serial one, and what its tasks allow. Costs are the
 * serial run's measured per-task CPU times, so the bounds share one time base.
 *
 * @param serial the serial run
 * @param parallel the parallel run
 * @param speedup serial wall / parallel wall
 * @param efficiency speedup / workers
 * @param workers most tasks the parallel run ran at once
 * @param lowerBound no schedule of the measured costs on the workers finishes sooner
 * @param optimalMakespan the shortest schedule of the measured costs (or the best found)
 * @param optimalProven whether {@code optimalMakespan} is proven optimal
 * @param optimalGap at most this fraction above the optimum (0 when proven)
 * @param largestFirstMakespan largest-first list scheduling of the measured costs
 * @param schedule how the parallel run ordered its tasks
 * @param plannedMakespan that order's makespan on the measured costs
 * @param idealSpeedup total measured cost / optimal makespan; never above {@code workers}
 * @param attainment optimal makespan / parallel wall (1.0 = as fast as any schedule allows)
 * @param verdict whether the speedup is a clean measurement
 * @param exclusive whether the Compare held the workers alone
 * @param isolationWait time spent waiting for the workers to be free of other runs
 * @param warmup the untimed warm-up before the serial run
 * @param notes true statements about these figures, as facts with their sentences
 * @param reading what the figures mean taken together ({@link NoteKind#READING_CLEAN} or {@link
 *     NoteKind#READING_NOT_CLEAN})
 * @param serialProfile the serial run's profile, if asked for
 * @param parallelProfile the parallel run's profile, if asked for
 * @param profileDiff serial to parallel, when both profiles are present
 * @param runId the server's id for the Compare
 */
public record Comparison(
    RunSummary serial,
    RunSummary parallel,
    double speedup,
    double efficiency,
    int workers,
    Duration lowerBound,
    Duration optimalMakespan,
    boolean optimalProven,
    double optimalGap,
    Duration largestFirstMakespan,
    Schedule schedule,
    Duration plannedMakespan,
    double idealSpeedup,
    double attainment,
    Verdict verdict,
    boolean exclusive,
    Duration isolationWait,
    Duration warmup,
    List<Note> notes,
    Note reading,
    Optional<Profile> serialProfile,
    Optional<Profile> parallelProfile,
    Optional<ProfileDiff> profileDiff,
    long runId,
    Optional<SpeedupEstimate> estimate,
    List<RoundResult> rounds,
    int representativeRound,
    List<ScalingPoint> scaling)
    implements FibEvent {
  public Comparison {
    notes = List.copyOf(notes);
    rounds = List.copyOf(rounds);
    scaling = List.copyOf(scaling);
  }
}
