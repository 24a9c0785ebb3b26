package dev.fibperf.server.compute;

/** How much work fib(n) is, and what that means for a parallel schedule. */
public final class CostModel {
  private CostModel() {}

  /** F(n) as a {@code long}; exact for n &le; 92. */
  public static long fib(int n) {
    if (n < 0 || n > 92) {
      throw new IllegalArgumentException("n=" + n + " outside [0, 92]");
    }
    long a = 0;
    long b = 1;
    for (int i = 0; i < n; i++) {
      long next = a + b;
      a = b;
      b = next;
    }
    return a;
  }

  /**
   * Calls that naive recursion makes for fib(n): 2*F(n+1) - 1. A double so sums of many tasks
   * cannot overflow; exact for n &le; 76.
   *
   * @param n in [0, 91]
   */
  public static double naiveCalls(int n) {
    return 2.0 * fib(n + 1) - 1;
  }
}
