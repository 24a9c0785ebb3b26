package dev.fibperf.server.analysis.schedule;

/**
 * The exact two-worker split by meeting in the middle: the subset whose sum is closest to half the
 * total, found by walking one half's sorted subset sums up while the other's walk down. An instance
 * keeps its buffers between calls.
 */
final class TwoWayPartition {
  /** Two halves of {@link SubsetSums#MAX_TASKS} tasks at most. */
  static final int MAX_TASKS = 2 * SubsetSums.MAX_TASKS;

  private final SubsetSums left = new SubsetSums();
  private final SubsetSums right = new SubsetSums();
  private long bestLeft;
  private long bestRight;
  private int half;

  /**
   * The smallest makespan of {@code costs[0..n)} on two workers; {@link #onFirstWorker} then tells
   * which tasks the first worker runs.
   */
  double solve(double[] costs, int n) {
    if (n > MAX_TASKS) {
      throw new IllegalArgumentException("n=" + n + " must be at most " + MAX_TASKS);
    }
    half = n / 2;
    double total = 0;
    for (int k = 0; k < n; k++) {
      total += costs[k];
    }
    left.fill(costs, 0, half);
    right.fill(costs, half, n);
    double target = total / 2;
    double bestMakespan = Double.MAX_VALUE;
    int j = right.size() - 1;
    for (int i = 0; i < left.size(); i++) {
      // Every pair (i, j') with j' > j overshoots half the total by more than (i - 1, j') did.
      while (j > 0 && left.sum(i) + right.sum(j) > target) {
        double over = left.sum(i) + right.sum(j);
        if (over < bestMakespan) {
          bestMakespan = over;
          bestLeft = left.mask(i);
          bestRight = right.mask(j);
        }
        j--;
      }
      double sum = left.sum(i) + right.sum(j);
      double makespan = Math.max(sum, total - sum);
      if (makespan < bestMakespan) {
        bestMakespan = makespan;
        bestLeft = left.mask(i);
        bestRight = right.mask(j);
      }
    }
    double load0 = 0;
    for (int k = 0; k < n; k++) {
      load0 += onFirstWorker(k) ? costs[k] : 0;
    }
    return Math.max(load0, total - load0);
  }

  /** Whether task {@code k} of the last {@link #solve} runs on the first worker. */
  boolean onFirstWorker(int k) {
    return k < half ? (bestLeft >>> k & 1) != 0 : (bestRight >>> (k - half) & 1) != 0;
  }
}
