package dev.fibperf.server.run;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * Untimed work that brings a kernel to compiled code on every worker before a phase is timed. The
 * tasks are small (about a millisecond each once compiled) but run each kernel's whole code path.
 */
final class Warmup {
  /** Tasks per worker: enough for the JIT to compile the kernel on each. */
  static final int TASKS_PER_WORKER = 3;

  private Warmup() {}

  /** Warm-up tasks for a phase of {@code tasks} on {@code workers} workers. */
  static List<Task> tasks(Algorithm algorithm, List<Task> tasks, int workers) {
    int smallest = tasks.stream().mapToInt(Task::n).min().orElse(0);
    int n = Math.min(smallest, cap(algorithm, smallest));
    List<Task> warmup = new ArrayList<>();
    for (int i = 0; i < TASKS_PER_WORKER * workers; i++) {
      warmup.add(new Task(i, n));
    }
    return warmup;
  }

  /** The largest warm-up input: about a millisecond of compiled work. */
  private static int cap(Algorithm algorithm, int smallest) {
    if (algorithm == Algorithm.NAIVE) {
      return 24;
    } else if (algorithm == Algorithm.ITERATIVE) {
      return 5_000;
    } else if (algorithm == Algorithm.FAST_DOUBLING) {
      return 100_000;
    }
    // A loaded kernel's cost is unknown until measured: a sixteenth of the smallest task, within
    // the kernel's range (about a sixteenth of its time where cost grows with size).
    return (int) Math.max(algorithm.kernel().minSize(), smallest / 16);
  }
}
