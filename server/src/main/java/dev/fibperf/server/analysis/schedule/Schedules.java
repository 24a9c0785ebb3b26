package dev.fibperf.server.analysis.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * How fast independent tasks of known cost can finish on identical workers: the lower bound, the
 * optimal makespan, and the makespan of list scheduling in a given order.
 */
public final class Schedules {
  /**
   * Search nodes {@link #optimal} visits before it settles for the best schedule found. A node
   * budget rather than a time budget keeps the answer the same on a busy machine; on up to four
   * workers it lasts about 50 ms here, on eight about 70 (BENCHMARKS.md, "The optimal-schedule
   * solver").
   */
  public static final long DEFAULT_NODE_BUDGET = 2_000_000;

  /**
   * Up to this many tasks, two workers are solved exactly by meeting in the middle: every subset
   * sum of each half (2^16 at most), one half's sorted, searched for the other's complement.
   */
  static final int MAX_EXACT_TWO_WORKER_TASKS = 32;

  /**
   * Budget nodes one subset visited by {@link RecursivePartition} counts for: about what it costs
   * beside a branch-and-bound node (a two-worker split of the remaining tasks).
   */
  static final long PARTITION_NODES_PER_SUBSET = 120;

  private Schedules() {}

  /**
   * No schedule can finish sooner than this: the total cost spread evenly over the workers, the
   * longest task (no worker splits a task), and, with more tasks than workers, the two smallest of
   * the {@code workers + 1} largest tasks (two of them share a worker).
   *
   * @param costs task costs in any unit
   * @param workers at least 1
   */
  public static double lowerBound(List<Double> costs, int workers) {
    requirePositive(workers);
    return lowerBound(descending(costs), workers);
  }

  /** {@link #lowerBound(List, int)} of costs in descending order. */
  static double lowerBound(double[] sorted, int workers) {
    double sum = 0;
    for (double c : sorted) {
      sum += c;
    }
    double bound = Math.max(sum / workers, sorted.length == 0 ? 0 : sorted[0]);
    if (sorted.length > workers) {
      bound = Math.max(bound, sorted[workers - 1] + sorted[workers]);
    }
    return bound;
  }

  /**
   * The makespan of list scheduling: tasks taken in the given order, each onto the worker that
   * frees up first. This is what a pool with a shared queue does.
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

  /** The makespan of largest-first (LPT) list scheduling. */
  public static double largestFirstMakespan(List<Double> costs, int workers) {
    List<Double> order = new ArrayList<>(costs);
    order.sort(Comparator.reverseOrder());
    return listScheduleMakespan(order, workers);
  }

  /**
   * A schedule of tasks onto workers.
   *
   * @param makespan when its last worker finishes
   * @param worker for each task (by its index in the costs), the worker it runs on
   * @param dispatchOrder task indices ordered by their start time in this schedule: list scheduling
   *     in this order, with these costs, reproduces the schedule, so a pool with a shared queue can
   *     follow it and still hand out work dynamically when a task runs long
   * @param lowerBound {@link #lowerBound} of the same costs
   * @param optimumAtLeast what the search proved no schedule beats: at least {@code lowerBound},
   *     and the makespan itself when proven
   * @param proven whether no schedule has a smaller makespan (the search finished)
   */
  public record Schedule(
      double makespan,
      int[] worker,
      List<Integer> dispatchOrder,
      double lowerBound,
      double optimumAtLeast,
      boolean proven) {
    /** How far above the optimum the makespan can at most be: 0 when proven. */
    public double provenGap() {
      return proven || optimumAtLeast == 0 ? 0 : makespan / optimumAtLeast - 1;
    }
  }

  /** {@link #optimal(List, int, long)} with {@link #DEFAULT_NODE_BUDGET}. */
  public static Schedule optimal(List<Double> costs, int workers) {
    return optimal(costs, workers, DEFAULT_NODE_BUDGET);
  }

  /**
   * The schedule with the smallest makespan. Two workers and at most {@value
   * #MAX_EXACT_TWO_WORKER_TASKS} tasks: exactly, by meeting in the middle. Otherwise by depth-first
   * branch and bound over task-to-worker assignments (tasks largest first, starting from the
   * largest-first schedule), which prunes assignments that cannot beat the best found, workers
   * whose load equals an earlier worker's (they are interchangeable), and orders equal tasks so
   * each set of them is tried once. On three or more workers and at most {@value
   * RecursivePartition#MAX_TASKS} tasks, what the branch and bound leaves unproven is settled by
   * {@link RecursivePartition recursive number partitioning}. When the search runs out of {@code
   * nodeBudget} it returns the best schedule found with {@code proven} false, and {@link
   * Schedule#provenGap()} bounds how far it can be from the optimum.
   */
  public static Schedule optimal(List<Double> costs, int workers, long nodeBudget) {
    requirePositive(workers);
    int n = costs.size();
    Integer[] byCost = new Integer[n];
    for (int i = 0; i < n; i++) {
      byCost[i] = i;
      if (!(costs.get(i) >= 0) || Double.isInfinite(costs.get(i))) {
        throw new IllegalArgumentException("costs[" + i + "]=" + costs.get(i) + " must be >= 0");
      }
    }
    double lowerBound = lowerBound(costs, workers);
    if (workers == 2 && n <= MAX_EXACT_TWO_WORKER_TASKS) {
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = costs.get(i);
      }
      TwoWayPartition twoWay = new TwoWayPartition();
      double makespan = twoWay.solve(values, n);
      int[] worker = new int[n];
      for (int i = 0; i < n; i++) {
        worker[i] = twoWay.onFirstWorker(i) ? 0 : 1;
      }
      return new Schedule(
          makespan, worker, startOrder(costs, worker, workers), lowerBound, makespan, true);
    }
    Arrays.sort(byCost, Comparator.comparingDouble((Integer i) -> -costs.get(i)));
    // Branch and bound first: it proves easy instances at once and seeds the partitioning below
    // with a short schedule. Up to MAX_TASKS tasks, what it leaves unproven the partitioning
    // settles with what remains of the budget.
    boolean partition = workers > 2 && n <= RecursivePartition.MAX_TASKS;
    long searchBudget = partition ? nodeBudget / 10 : nodeBudget;
    Search search = new Search(costs, byCost, workers, searchBudget);
    search.run();
    int[] worker = new int[n];
    for (int k = 0; k < n; k++) {
      worker[byCost[k]] = search.best[k];
    }
    double makespan = search.bestMakespan;
    boolean proven = search.proven();
    double optimumAtLeast = proven ? makespan : lowerBound;
    if (!proven && partition) {
      double[] descending = new double[n];
      for (int k = 0; k < n; k++) {
        descending[k] = costs.get(byCost[k]);
      }
      RecursivePartition.Outcome outcome =
          RecursivePartition.solve(
              descending,
              workers,
              makespan,
              lowerBound,
              (nodeBudget - searchBudget) / PARTITION_NODES_PER_SUBSET);
      if (outcome.worker() != null) {
        for (int k = 0; k < n; k++) {
          worker[byCost[k]] = outcome.worker()[k];
        }
        makespan = outcome.makespan();
      }
      proven = outcome.proven();
      optimumAtLeast = outcome.optimumAtLeast();
    }
    return new Schedule(
        makespan, worker, startOrder(costs, worker, workers), lowerBound, optimumAtLeast, proven);
  }

  /** Each worker runs its tasks largest first; all tasks ordered by start time, then worker. */
  private static List<Integer> startOrder(List<Double> costs, int[] worker, int workers) {
    int n = costs.size();
    double[] start = new double[n];
    List<List<Integer>> perWorker = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      perWorker.add(new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      perWorker.get(worker[i]).add(i);
    }
    for (List<Integer> tasks : perWorker) {
      tasks.sort(Comparator.comparingDouble((Integer i) -> -costs.get(i)).thenComparingInt(i -> i));
      double t = 0;
      for (int i : tasks) {
        start[i] = t;
        t += costs.get(i);
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    order.sort(
        Comparator.comparingDouble((Integer i) -> start[i])
            .thenComparingInt(i -> worker[i])
            .thenComparingInt(i -> i));
    return List.copyOf(order);
  }

  /** The branch and bound, over tasks in descending cost order. */
  private static final class Search {
    private final double[] cost;
    private final double[] suffix; // cost of tasks k.. still to place
    private final int workers;
    private final long nodeBudget;
    private final double lowerBound;
    private final double[] load;
    private final int[] current;
    private final int[] best;
    private double bestMakespan;
    private long nodes;
    private boolean exhausted;

    Search(List<Double> costs, Integer[] byCost, int workers, long nodeBudget) {
      int n = byCost.length;
      this.cost = new double[n];
      for (int k = 0; k < n; k++) {
        cost[k] = costs.get(byCost[k]);
      }
      this.suffix = new double[n + 1];
      for (int k = n - 1; k >= 0; k--) {
        suffix[k] = suffix[k + 1] + cost[k];
      }
      this.workers = workers;
      this.nodeBudget = nodeBudget;
      this.lowerBound = lowerBound(costs, workers);
      this.load = new double[workers];
      this.current = new int[n];
      this.best = new int[n];
      seedWithLargestFirst();
    }

    /** Largest-first, which the search must beat: a good first incumbent prunes hardest. */
    private void seedWithLargestFirst() {
      double[] loads = new double[workers];
      for (int k = 0; k < cost.length; k++) {
        int least = 0;
        for (int w = 1; w < workers; w++) {
          if (loads[w] < loads[least]) {
            least = w;
          }
        }
        loads[least] += cost[k];
        best[k] = least;
      }
      bestMakespan = 0;
      for (double l : loads) {
        bestMakespan = Math.max(bestMakespan, l);
      }
    }

    void run() {
      if (bestMakespan <= lowerBound) {
        exhausted = true; // largest-first already meets the lower bound
        return;
      }
      exhausted = place(0, 0);
    }

    boolean proven() {
      return exhausted || bestMakespan <= lowerBound;
    }

    /**
     * Places task {@code k} and the rest; returns false if the node budget ran out.
     *
     * @param makespan the largest load so far
     */
    private boolean place(int k, double makespan) {
      if (k == cost.length) {
        if (makespan < bestMakespan) {
          bestMakespan = makespan;
          System.arraycopy(current, 0, best, 0, current.length);
        }
        return true;
      }
      if (++nodes > nodeBudget) {
        return false;
      }
      // The rest must fit under the incumbent: room left on all workers below it.
      double room = 0;
      for (double l : load) {
        room += Math.max(0, bestMakespan - l);
      }
      if (room <= suffix[k]) {
        return true;
      }
      // Equal tasks in a row go to workers in non-decreasing order: each multiset once.
      int first = k > 0 && cost[k] == cost[k - 1] ? current[k - 1] : 0;
      for (int w = first; w < workers; w++) {
        if (sameLoadAsEarlier(w, first)) {
          continue; // an interchangeable worker was already tried
        }
        double after = load[w] + cost[k];
        if (after >= bestMakespan) {
          continue;
        }
        load[w] = after;
        current[k] = w;
        boolean finished = place(k + 1, Math.max(makespan, after));
        load[w] = after - cost[k];
        if (!finished) {
          return false;
        }
        if (bestMakespan <= lowerBound) {
          return true; // nothing can beat the lower bound
        }
      }
      return true;
    }

    private boolean sameLoadAsEarlier(int w, int from) {
      for (int v = from; v < w; v++) {
        if (load[v] == load[w]) {
          return true;
        }
      }
      return false;
    }
  }

  private static double[] descending(List<Double> costs) {
    double[] sorted = new double[costs.size()];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = costs.get(i);
    }
    Arrays.sort(sorted);
    for (int i = 0, j = sorted.length - 1; i < j; i++, j--) {
      double t = sorted[i];
      sorted[i] = sorted[j];
      sorted[j] = t;
    }
    return sorted;
  }

  private static void requirePositive(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers=" + workers + " must be at least 1");
    }
  }
}
