package dev.fibperf.server.testing;

import java.math.BigInteger;

/** fib(n) by plain iteration, independent of the server's kernels: what tests check values by. */
public final class FibOracle {
  private FibOracle() {}

  public static BigInteger fib(int n) {
    BigInteger a = BigInteger.ZERO;
    BigInteger b = BigInteger.ONE;
    for (int i = 0; i < n; i++) {
      BigInteger next = a.add(b);
      a = b;
      b = next;
    }
    return a;
  }
}
