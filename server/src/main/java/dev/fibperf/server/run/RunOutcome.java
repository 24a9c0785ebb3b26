package dev.fibperf.server.run;

import dev.fibperf.server.analysis.AcrossCompares;
import dev.fibperf.server.analysis.RoundsAnalysis;
import dev.fibperf.server.analysis.SpeedupAnalysis;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.profile.ProfileReport;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * What a finished run measured.
 *
 * @param runId the run's id
 * @param spec what was asked
 * @param phases each phase's result, in the order they ran; for Compare, the representative round's
 *     serial and parallel phases (with the first round's profiles, the rounds profiled)
 * @param analysis for Compare, the representative round's parallel phase against its serial one;
 *     otherwise null
 * @param isolationWait how long the run waited for the workers to be free of other runs (exclusive
 *     runs), or for an exclusive run to finish (others)
 * @param warmup untimed work before the first phase, which brings the kernel to compiled code on
 *     every worker it will use (Compare only; zero otherwise)
 * @param rounds for Compare, every round and the estimate over them; otherwise null
 * @param acrossCompares for Compare, where this server's Compares of the workload land, once it has
 *     kept enough of them; otherwise null
 */
public record RunOutcome(
    long runId,
    RunSpec spec,
    List<PhaseOutcome> phases,
    SpeedupAnalysis analysis,
    Duration isolationWait,
    Duration warmup,
    RoundsAnalysis rounds,
    AcrossCompares acrossCompares) {
  public RunOutcome {
    phases = List.copyOf(phases);
  }

  /**
   * One phase's measurements.
   *
   * @param profile what the sampler saw, or null if the phase was not profiled
   */
  public record PhaseOutcome(Phase phase, RunResult result, ProfileReport profile) {}

  /** The phase named {@code phase}. */
  public PhaseOutcome phase(Phase phase) {
    for (PhaseOutcome p : phases) {
      if (p.phase() == phase) {
        return p;
      }
    }
    throw new NoSuchElementException("run " + runId + " had no " + phase + " phase");
  }

  /** The only phase of a single-phase run (Serial, Parallel, ProfileSerial). */
  public PhaseOutcome only() {
    if (phases.size() != 1) {
      throw new IllegalStateException("run " + runId + " had " + phases.size() + " phases");
    }
    return phases.get(0);
  }
}
