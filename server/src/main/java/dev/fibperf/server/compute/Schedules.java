package dev.fibperf.server.compute;

import java.util.List;
import java.util.PriorityQueue;

/** Lower bounds on how fast independent tasks can finish on a number of workers. */
public final class Schedules {
  private Schedules() {}

  /**
   * The work bound: total cost spread evenly over the workers, but never less than the longest
   * task, which no amount of parallelism splits.
   *
   * @param costs task costs in any unit
   * @param workers at least 1
   */
  public static double workBound(List<Double> costs, int workers) {
    requirePositive(workers);
    double sum = 0;
    double max = 0;
    for (double c : costs) {
      sum += c;
      max = Math.max(max, c);
    }
    return Math.max(sum / workers, max);
  }

  /**
   * The makespan of list scheduling: tasks taken in the given order, each onto the worker that
   * frees up first. This is what a pool with a shared queue actually does.
   *
   * @param costsInDispatchOrder task costs in the order they are handed to the pool
   * @param workers at least 1
   */
  public static double listScheduleMakespan(List<Double> costsInDispatchOrder, int workers) {
    requirePositive(workers);
    PriorityQueue<Double> finishTimes = new PriorityQueue<>();
    for (int i = 0; i < workers; i++) {
      finishTimes.add(0.0);
    }
    double makespan = 0;
    for (double c : costsInDispatchOrder) {
      double finish = finishTimes.poll() + c;
      finishTimes.add(finish);
      makespan = Math.max(makespan, finish);
    }
    return makespan;
  }

  private static void requirePositive(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers=" + workers + " must be at least 1");
    }
  }
}
