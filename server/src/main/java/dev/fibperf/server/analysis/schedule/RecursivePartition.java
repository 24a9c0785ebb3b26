package dev.fibperf.server.analysis.schedule;

/**
 * Exact optimal schedules on three or more workers by recursive number partitioning (after Korf,
 * "Multi-way number partitioning", IJCAI 2009, and Korf, Schreiber and Moffitt, "Optimal sequential
 * multi-way number partitioning", 2013): split the workers into two groups, enumerate every set of
 * tasks the first group could hold under the makespan cap (meeting in the middle over subset sums,
 * so only sets inside the window are visited), and solve both groups the same way, two workers
 * exactly.
 *
 * <p>The cap starts just above the lower bound and widens geometrically towards the incumbent, so
 * the first cap under which any schedule fits yields the optimum, and the windows stay narrow: on
 * random real-valued costs almost no set of tasks lands inside them. Each cap that admits no
 * schedule proves the optimum lies above it, which tightens the gap reported if the work budget
 * runs out first.
 */
final class RecursivePartition {
  /** Tasks this solver accepts: every subproblem's two-worker split stays exact. */
  static final int MAX_TASKS = 32;

  /** Caps tried between the lower bound and the incumbent, the first at 8^-STEPS of the gap. */
  private static final int STEPS = 8;

  /**
   * Subset sums built for a subproblem's enumeration that count as one subset visited: about what
   * the two-worker split behind a visit costs.
   */
  private static final int SUMS_PER_SUBSET = 400;

  /**
   * The result of {@link #solve}.
   *
   * @param worker each task's worker (by index in the costs), or null when no schedule shorter than
   *     the incumbent exists or the budget ran out before one was found
   * @param makespan the schedule's makespan, or the incumbent's when {@code worker} is null
   * @param proven whether no schedule is shorter
   * @param optimumAtLeast the largest value the optimum is proven not to be below
   */
  record Outcome(int[] worker, double makespan, boolean proven, double optimumAtLeast) {}

  /** A split of some tasks, each task's worker by its position in the subproblem's array. */
  private record Split(double makespan, int[] worker) {}

  /** Thrown through the recursion when the work budget runs out. */
  private static final class OutOfBudget extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutOfBudget() {
      super(null, null, false, false);
    }
  }

  private final long budget;
  private long work;
  private final TwoWayPartition twoWay = new TwoWayPartition();
  // The whole problem, whose subset sums every cap enumerates again (built once), and the best
  // split of it found so far, which stands if the budget runs out.
  private final double[] root;
  private SubsetSums rootLeft;
  private SubsetSums rootRight;
  private Split rootBest;

  private RecursivePartition(double[] root, long budget) {
    this.root = root;
    this.budget = budget;
  }

  /**
   * The shortest schedule of {@code costs} on {@code workers}, or proof that {@code incumbent} is.
   *
   * @param costs at most {@value #MAX_TASKS} task costs, in descending order
   * @param workers at least 3
   * @param incumbent the makespan of a schedule already known
   * @param lowerBound no schedule is shorter than this
   * @param budget subsets of tasks to visit (each costs one subproblem) before settling for the
   *     best schedule found
   */
  static Outcome solve(
      double[] costs, int workers, double incumbent, double lowerBound, long budget) {
    if (costs.length > MAX_TASKS) {
      throw new IllegalArgumentException(
          "costs.length=" + costs.length + " must be at most " + MAX_TASKS);
    }
    RecursivePartition search = new RecursivePartition(costs, budget);
    double atLeast = lowerBound;
    double gap = incumbent - lowerBound;
    for (int step = STEPS; step >= 0; step--) {
      double cap = step == 0 ? Math.nextDown(incumbent) : lowerBound + gap / Math.pow(8, step);
      if (cap < atLeast) {
        continue;
      }
      Split split;
      try {
        split = search.best(costs, workers, cap);
      } catch (OutOfBudget e) {
        Split found = search.rootBest;
        return found == null
            ? new Outcome(null, incumbent, false, atLeast)
            : new Outcome(found.worker, found.makespan, false, atLeast);
      }
      if (split != null) {
        return new Outcome(split.worker, split.makespan, true, split.makespan);
      }
      atLeast = cap;
    }
    return new Outcome(null, incumbent, true, incumbent);
  }

  private void charge(long subsets) {
    work += subsets;
    if (work > budget) {
      throw new OutOfBudget();
    }
  }

  /**
   * The shortest split of {@code v} (descending) onto {@code k} workers among those no longer than
   * {@code cap}, or null when there is none.
   */
  private Split best(double[] v, int k, double cap) {
    int n = v.length;
    double sum = 0;
    for (double x : v) {
      sum += x;
    }
    if (n == 0) {
      return new Split(0, new int[0]);
    }
    if (k == 1) {
      return sum <= cap ? new Split(sum, new int[n]) : null;
    }
    // Slack for rounding: sums added in another order may differ in the last bits.
    double slack = 1e-12 * sum;
    if (v[0] > cap || sum > k * cap + slack) {
      return null;
    }
    if (n <= k) {
      int[] own = new int[n];
      for (int i = 0; i < n; i++) {
        own[i] = i;
      }
      return new Split(v[0], own);
    }
    if (k == 2) {
      double makespan = twoWay.solve(v, n);
      if (makespan > cap) {
        return null;
      }
      int[] worker = new int[n];
      for (int p = 0; p < n; p++) {
        worker[p] = twoWay.onFirstWorker(p) ? 0 : 1;
      }
      return new Split(makespan, worker);
    }
    // The first group (k1 workers) holds the largest task: some grouping of any schedule does.
    int k1 = k / 2;
    int k2 = k - k1;
    int half = 1 + (n - 1) / 2;
    SubsetSums left;
    SubsetSums right;
    if (v == root) {
      if (rootLeft == null) {
        rootLeft = SubsetSums.of(v, 1, half);
        rootRight = SubsetSums.of(v, half, n);
      }
      left = rootLeft;
      right = rootRight;
    } else {
      left = SubsetSums.of(v, 1, half);
      right = SubsetSums.of(v, half, n);
      charge((left.size() + right.size()) / SUMS_PER_SUBSET);
    }
    Split best = null;
    double c = cap;
    int from = right.size(); // the first right sum at least lo, which falls as the base grows
    for (int i = 0; i < left.size(); i++) {
      double base = v[0] + left.sum(i);
      if (base > k1 * c + slack) {
        break; // left sums ascend: every later base is too large as well
      }
      double lo = sum - k2 * c - base - slack;
      double hi = k1 * c - base + slack;
      while (from > 0 && right.sum(from - 1) >= lo) {
        from--;
      }
      for (int j = from; j < right.size() && right.sum(j) <= hi; j++) {
        charge(1);
        Split found = splitWith(v, k1, k2, c, left.mask(i), half, right.mask(j));
        if (found != null) {
          best = found;
          if (v == root) {
            rootBest = found;
          }
          c = Math.nextDown(found.makespan); // from here on, only a shorter split counts
          if (found.makespan <= Schedules.lowerBound(v, k)) {
            return best;
          }
          hi = k1 * c - base + slack;
        }
      }
    }
    return best;
  }

  /**
   * The best split under {@code cap} with the largest task and the tasks in both masks on the first
   * {@code k1} workers and every other task on the last {@code k2}, or null.
   */
  private Split splitWith(
      double[] v, int k1, int k2, double cap, long leftMask, int half, long rightMask) {
    int n = v.length;
    int inFirst = 1 + Long.bitCount(leftMask) + Long.bitCount(rightMask);
    double[] a = new double[inFirst];
    double[] b = new double[n - inFirst];
    int[] position = new int[n];
    int na = 0;
    int nb = 0;
    for (int p = 0; p < n; p++) {
      boolean first =
          p == 0
              || (p < half ? (leftMask >>> (p - 1) & 1) != 0 : (rightMask >>> (p - half) & 1) != 0);
      if (first) {
        position[p] = na;
        a[na++] = v[p];
      } else {
        position[p] = -1 - nb;
        b[nb++] = v[p];
      }
    }
    Split sa = best(a, k1, cap);
    if (sa == null) {
      return null;
    }
    Split sb = best(b, k2, cap);
    if (sb == null) {
      return null;
    }
    int[] worker = new int[n];
    for (int p = 0; p < n; p++) {
      worker[p] = position[p] >= 0 ? sa.worker[position[p]] : k1 + sb.worker[-1 - position[p]];
    }
    return new Split(Math.max(sa.makespan, sb.makespan), worker);
  }
}
