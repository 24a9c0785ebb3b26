package dev.fibperf.server.run;

import dev.fibperf.server.analysis.RoundsAnalysis;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.TaskResult;
import dev.fibperf.server.exec.TaskStart;
import dev.fibperf.server.profile.ProfileReport;

/**
 * Something that happened in a run, in the order it happened. Every run publishes {@link Accepted}
 * first and exactly one of {@link Completed} or {@link Failed} last; for each task {@link
 * TaskStarted} comes before its {@link TaskFinished}, and a phase's {@link PhaseCompleted} after
 * all of its tasks. A Compare's events carry their round (1-based; every other run's are round 1),
 * and each round ends with {@link RoundCompleted}.
 */
public sealed interface RunEvent {
  /** The run this event belongs to. */
  long runId();

  /** The run was admitted and is about to start. */
  record Accepted(long runId, RunSpec spec) implements RunEvent {}

  /** A worker picked up a task. */
  record TaskStarted(long runId, Phase phase, TaskStart start, int round) implements RunEvent {
    public TaskStarted(long runId, Phase phase, TaskStart start) {
      this(runId, phase, start, 1);
    }
  }

  /** A worker finished a task. */
  record TaskFinished(long runId, Phase phase, TaskResult result, int round) implements RunEvent {
    public TaskFinished(long runId, Phase phase, TaskResult result) {
      this(runId, phase, result, 1);
    }
  }

  /** What a profiled phase has sampled so far; recording goes on. */
  record ProfileSnapshot(
      long runId, Phase phase, ProfileReport profile, int tasksDone, int tasksTotal)
      implements RunEvent {}

  /** Every task of a phase finished. */
  record PhaseCompleted(long runId, Phase phase, RunResult result, int round) implements RunEvent {
    public PhaseCompleted(long runId, Phase phase, RunResult result) {
      this(runId, phase, result, 1);
    }
  }

  /** Both phases of a Compare's round finished. */
  record RoundCompleted(long runId, RoundsAnalysis.Round round) implements RunEvent {}

  /** A profiled phase's file, rendered after its tasks ended and before its final profile. */
  record ArtifactRendered(long runId, Phase phase, ArtifactFormat format, byte[] data)
      implements RunEvent {}

  /** The run finished; {@code outcome} is what its future completes with. */
  record Completed(long runId, RunOutcome outcome) implements RunEvent {}

  /**
   * The run stopped early: cancelled ({@link java.util.concurrent.CancellationException}), refused
   * by a pool that shut down, or failed. No worker is still busy with it.
   */
  record Failed(long runId, Throwable cause) implements RunEvent {}
}
