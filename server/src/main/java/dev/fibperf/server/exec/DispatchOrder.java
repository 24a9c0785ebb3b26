package dev.fibperf.server.exec;

import dev.fibperf.server.compute.Algorithm;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The order in which a run hands its tasks to the pool. */
public enum DispatchOrder {
  /** As in the request: the serial baseline. */
  INPUT,
  /**
   * Most expensive first, ties in input order: the longest-processing-time rule, which keeps a
   * large task from starting last and running alone.
   */
  LARGEST_FIRST;

  /** Returns {@code tasks} in this order; the input list is not changed. */
  public List<Task> apply(List<Task> tasks, Algorithm algorithm) {
    List<Task> ordered = new ArrayList<>(tasks);
    if (this == LARGEST_FIRST) {
      ordered.sort(
          Comparator.comparingDouble((Task t) -> algorithm.cost(t.n()))
              .reversed()
              .thenComparingInt(Task::index));
    }
    return ordered;
  }
}
