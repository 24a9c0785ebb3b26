package dev.fibperf.server.analysis.schedule;

/**
 * Every subset sum of a run of task costs, ascending, each with its subset as a bit mask (bit k is
 * task {@code from + k}). Built by merging the sums without and with each task in turn, so no sort
 * is needed: 2^m sums for m tasks in O(2^m) time. An instance is a reusable buffer: {@link #fill}
 * overwrites it, so the search's many small subproblems allocate nothing.
 */
final class SubsetSums {
  /** The most tasks one instance covers: 2^20 sums, 16 MiB. */
  static final int MAX_TASKS = 20;

  private double[] sums = new double[1];
  private long[] masks = new long[1];
  private double[] spareSums = new double[1];
  private long[] spareMasks = new long[1];
  private int size;

  /** The subset sums of {@code costs[from..to)}, in a new instance. */
  static SubsetSums of(double[] costs, int from, int to) {
    SubsetSums s = new SubsetSums();
    s.fill(costs, from, to);
    return s;
  }

  /** Replaces this instance's sums with those of {@code costs[from..to)}. */
  void fill(double[] costs, int from, int to) {
    if (to - from > MAX_TASKS) {
      throw new IllegalArgumentException(
          "to - from=" + (to - from) + " tasks must be at most " + MAX_TASKS);
    }
    int capacity = 1 << (to - from);
    if (sums.length < capacity) {
      sums = new double[capacity];
      masks = new long[capacity];
      spareSums = new double[capacity];
      spareMasks = new long[capacity];
    }
    // Locals, not fields, in the loop: the JIT keeps them in registers.
    double[] current = sums;
    long[] currentMasks = masks;
    double[] next = spareSums;
    long[] nextMasks = spareMasks;
    current[0] = 0;
    currentMasks[0] = 0;
    int n = 1;
    for (int k = from; k < to; k++) {
      double c = costs[k];
      long bit = 1L << (k - from);
      int a = 0;
      int b = 0;
      for (int out = 0; out < 2 * n; out++) {
        if (b == n || (a < n && current[a] <= current[b] + c)) {
          next[out] = current[a];
          nextMasks[out] = currentMasks[a++];
        } else {
          next[out] = current[b] + c;
          nextMasks[out] = currentMasks[b++] | bit;
        }
      }
      double[] swap = current;
      current = next;
      next = swap;
      long[] swapMasks = currentMasks;
      currentMasks = nextMasks;
      nextMasks = swapMasks;
      n *= 2;
    }
    sums = current;
    masks = currentMasks;
    spareSums = next;
    spareMasks = nextMasks;
    size = n;
  }

  int size() {
    return size;
  }

  double sum(int i) {
    return sums[i];
  }

  long mask(int i) {
    return masks[i];
  }
}
