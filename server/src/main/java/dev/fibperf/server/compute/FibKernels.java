package dev.fibperf.server.compute;

import java.math.BigInteger;

/**
 * The Fibonacci kernels. Pure functions of {@code n}: they know nothing of how they are served.
 *
 * <p>Each kernel polls a {@link CancellationToken} often enough to stop within a millisecond, and
 * rarely enough that the check is free (see {@code bench/} for the measurement).
 */
public final class FibKernels {
  /**
   * Naive recursion polls the token only at subproblems of at least this size. fib(20) makes 21,891
   * calls (about 25 us), so a cancelled task stops within microseconds while the recursion below
   * the threshold stays a plain, check-free hot loop.
   */
  static final int NAIVE_CHECK_FROM = 20;

  /** Iterative and fast-doubling kernels poll the token once per this many steps. */
  private static final int STEPS_PER_CHECK = 1 << 10;

  private FibKernels() {}

  /**
   * fib(n) by naive recursion, with no cancellation check. The reference hot method.
   *
   * @param n at most 92, the largest n whose value fits in a {@code long}
   */
  public static long naive(int n) {
    return n < 2 ? n : naive(n - 1) + naive(n - 2);
  }

  /**
   * fib(n) by naive recursion, stopping when {@code token} is cancelled.
   *
   * @throws java.util.concurrent.CancellationException if the token is cancelled before it returns
   */
  public static long naive(int n, CancellationToken token) {
    if (n < NAIVE_CHECK_FROM) {
      return naive(n);
    }
    token.throwIfCancelled();
    return naive(n - 1, token) + naive(n - 2, token);
  }

  /** fib(n) by n additions. */
  public static BigInteger iterative(int n, CancellationToken token) {
    BigInteger a = BigInteger.ZERO;
    BigInteger b = BigInteger.ONE;
    for (int i = 0; i < n; i++) {
      if ((i & (STEPS_PER_CHECK - 1)) == 0) {
        token.throwIfCancelled();
      }
      BigInteger next = a.add(b);
      a = b;
      b = next;
    }
    return a;
  }

  /**
   * fib(n) by fast doubling: F(2k) = F(k)(2F(k+1) - F(k)), F(2k+1) = F(k)^2 + F(k+1)^2, one step
   * per bit of n.
   */
  public static BigInteger fastDoubling(int n, CancellationToken token) {
    BigInteger a = BigInteger.ZERO; // F(k)
    BigInteger b = BigInteger.ONE; // F(k+1)
    for (int bit = Integer.SIZE - 1 - Integer.numberOfLeadingZeros(n); bit >= 0; bit--) {
      token.throwIfCancelled();
      BigInteger c = a.multiply(b.shiftLeft(1).subtract(a));
      BigInteger d = a.multiply(a).add(b.multiply(b));
      if (((n >>> bit) & 1) == 0) {
        a = c;
        b = d;
      } else {
        a = d;
        b = c.add(d);
      }
    }
    return a;
  }
}
