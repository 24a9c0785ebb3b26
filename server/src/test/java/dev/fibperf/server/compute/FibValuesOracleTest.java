package dev.fibperf.server.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fibperf.server.config.ServerConfig;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every kernel's values up to the server's default limits, against the definition F(0) = 0, F(1) =
 * 1, F(n) = F(n-1) + F(n-2) in {@link BigInteger}, written here and sharing no code with the
 * kernels. Naive recursion is checked for every n up to 40: beyond that one value takes seconds to
 * minutes (fib(50) about 45 s), too long for CI.
 */
class FibValuesOracleTest {
  static final int NAIVE_CHECKED_UP_TO = 40;

  /** F(0..max) by the definition. */
  static List<BigInteger> definition(int max) {
    List<BigInteger> f = new ArrayList<>(List.of(BigInteger.ZERO, BigInteger.ONE));
    for (int n = 2; n <= max; n++) {
      f.add(f.get(n - 1).add(f.get(n - 2)));
    }
    return f;
  }

  @Test
  void naive_matchesTheDefinition_forEveryNUpTo40() {
    List<BigInteger> f = definition(NAIVE_CHECKED_UP_TO);
    for (int n = 0; n <= NAIVE_CHECKED_UP_TO; n++) {
      assertEquals(
          f.get(n).toString(), Algorithm.NAIVE.compute(n, CancellationToken.NONE), "n=" + n);
    }
  }

  /**
   * Every n up to 3,000, then every 37th and the limit: each value costs O(n^2) here, and every n
   * up to 10,000 would take about 9 s of CI.
   */
  @Test
  void iterative_matchesTheDefinition_upToItsLimit() {
    int limit = ServerConfig.DEFAULT_MAX_ITERATIVE_N;
    List<BigInteger> f = definition(limit);
    for (int n = 0; n <= limit; n = n < 3000 ? n + 1 : n + 37) {
      assertEquals(
          f.get(n).toString(), Algorithm.ITERATIVE.compute(n, CancellationToken.NONE), "n=" + n);
    }
    assertEquals(
        f.get(limit).toString(), Algorithm.ITERATIVE.compute(limit, CancellationToken.NONE));
  }

  @Test
  void fastDoubling_matchesTheDefinition_forEveryNUpToItsLimit() {
    int limit = ServerConfig.DEFAULT_MAX_FAST_DOUBLING_N;
    List<BigInteger> f = definition(limit);
    for (int n = 0; n <= limit; n++) {
      assertEquals(
          f.get(n).toString(),
          Algorithm.FAST_DOUBLING.compute(n, CancellationToken.NONE),
          "n=" + n);
    }
  }

  @Test
  void theLongPaths_matchTheDefinition_upToTheLargestLong() {
    List<BigInteger> f = definition(92);
    for (int n = 0; n <= 92; n++) {
      assertEquals(f.get(n), BigInteger.valueOf(CostModel.fib(n)), "CostModel.fib n=" + n);
    }
  }
}
