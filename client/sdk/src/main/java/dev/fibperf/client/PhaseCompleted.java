package dev.fibperf.client;

/**
 * One half of a Compare finished.
 *
 * @param phase which half
 * @param summary its outcome
 */
public record PhaseCompleted(Phase phase, RunSummary summary) implements FibEvent {}
