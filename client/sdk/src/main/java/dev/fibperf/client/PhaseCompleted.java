package dev.fibperf.client;

/**
 * One half of a Compare's round finished.
 *
 * @param phase which half
 * @param summary its outcome
 * @param round the round it belongs to (1 for the first)
 */
public record PhaseCompleted(Phase phase, RunSummary summary, int round) implements FibEvent {
  /** A phase of a Compare's first round. */
  public PhaseCompleted(Phase phase, RunSummary summary) {
    this(phase, summary, 1);
  }
}
