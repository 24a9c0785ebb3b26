package dev.fibperf.server.exec;

/**
 * Something that happened to one task of a phase: a worker picked it up ({@link TaskStart}) or
 * finished it ({@link TaskResult}). The run layer wraps each in its own {@code RunEvent} with the
 * run and phase it belongs to.
 */
public sealed interface TaskEvent permits TaskStart, TaskResult {
  /** The task's position in the phase's input. */
  int index();
}
