package dev.fibperf.client;

/**
 * The profile so far, sent at a steady interval while a long profile runs.
 *
 * @param profile hot methods so far
 * @param tasksDone tasks finished so far
 * @param tasksTotal tasks in the run
 */
public record ProfileSnapshot(Profile profile, int tasksDone, int tasksTotal) implements FibEvent {}
