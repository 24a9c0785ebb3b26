package dev.fibperf.client;

import java.time.Duration;
import java.util.Optional;

/**
 * One round of a Compare: both phases and what they measured together.
 *
 * @param round 1 for the first
 * @param parallelFirst whether its parallel phase ran before its serial one (even rounds)
 * @param serial its serial phase (without per-task results in {@link Comparison#rounds()})
 * @param parallel its parallel phase (likewise)
 * @param speedup serial wall / parallel wall
 * @param attainment the round's optimal makespan / parallel wall
 * @param optimalMakespan the shortest schedule of its serial phase's measured costs
 * @param verdict the round's own verdict
 * @param used whether the estimate uses it
 * @param exclusion why the estimate leaves it out, when it does
 */
public record RoundResult(
    int round,
    boolean parallelFirst,
    RunSummary serial,
    RunSummary parallel,
    double speedup,
    double attainment,
    Duration optimalMakespan,
    Verdict verdict,
    boolean used,
    Optional<Note> exclusion)
    implements FibEvent {}
