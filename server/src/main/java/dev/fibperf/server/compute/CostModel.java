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

  private static final double LOG10_PHI = Math.log10((1 + Math.sqrt(5)) / 2);
  private static final double LOG10_SQRT5 = Math.log10(Math.sqrt(5));

  /**
   * Decimal digits of F(n), from Binet's formula (F(n) is the integer nearest phi^n / sqrt 5), plus
   * one: an upper bound, exact or one over, for sizing what a result takes on the wire.
   */
  public static long decimalDigits(int n) {
    if (n < 2) {
      return 1;
    }
    return (long) Math.floor(n * LOG10_PHI - LOG10_SQRT5) + 2;
  }
}
