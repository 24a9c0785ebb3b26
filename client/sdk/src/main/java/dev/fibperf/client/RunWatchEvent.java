package dev.fibperf.client;

import java.util.Optional;

/**
 * One message of {@link FibPerfClient#watchRuns}.
 *
 * @param kind what happened
 * @param runId the run it happened to (0 for {@link Kind#EVENTS_DROPPED})
 * @param method that run's method (empty for {@link Kind#EVENTS_DROPPED})
 * @param run the run's state, for {@link Kind#IN_FLIGHT}, {@link Kind#ACCEPTED} and {@link
 *     Kind#FINISHED}
 * @param detail the task event, profile snapshot or phase summary, for those kinds
 * @param droppedEvents for {@link Kind#EVENTS_DROPPED}: how many events this watcher lost
 */
public record RunWatchEvent(
    Kind kind,
    long runId,
    Optional<RunMethod> method,
    Optional<RunInfo> run,
    Optional<FibEvent> detail,
    long droppedEvents)
    implements FibEvent {
  /** What a watch message says. */
  public enum Kind {
    /** A run in flight when the watch began (sent first). */
    IN_FLIGHT,
    ACCEPTED,
    TASK_STARTED,
    TASK_FINISHED,
    PROFILE_SNAPSHOT,
    PHASE_COMPLETED,
    /** The run ended; {@code run} holds its final state, status and result. */
    FINISHED,
    /** This watcher fell behind and lost {@code droppedEvents} events before the next one. */
    EVENTS_DROPPED
  }
}
