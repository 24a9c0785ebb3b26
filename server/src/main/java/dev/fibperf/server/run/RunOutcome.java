package dev.fibperf.server.run;

import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.SpeedupAnalysis;
import dev.fibperf.server.profile.ProfileReport;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * What a finished run measured.
 *
 * @param runId the run's id
 * @param spec what was asked
 * @param phases each phase's result, in the order they ran
 * @param analysis for Compare, the parallel phase against the serial one; otherwise null
 */
public record RunOutcome(
    long runId, RunSpec spec, List<PhaseOutcome> phases, SpeedupAnalysis analysis) {
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
