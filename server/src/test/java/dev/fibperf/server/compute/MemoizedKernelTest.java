package dev.fibperf.server.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.kernel.CacheStats;
import dev.fibperf.server.testing.FibOracle;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The memoized kernel: right values from any cache state, and a cache that stays bounded. */
class MemoizedKernelTest {
  @Test
  void everyValue_matchesTheOracle_inAnyOrderOfRequests() {
    FibonacciKernels.Memoized memo = new FibonacciKernels.Memoized();
    SplittableRandom random = new SplittableRandom(28);
    for (int i = 0; i < 2_000; i++) {
      int n = random.nextInt(0, 3_000);
      assertEquals(FibOracle.fib(n), memo.fib(n, CancellationToken.NONE), "n=" + n);
    }
  }

  @Test
  void aRepeatedRequest_isAHit_andTheCacheNeverPassesItsCapacity() {
    FibonacciKernels.Memoized memo = new FibonacciKernels.Memoized();
    memo.fib(100, CancellationToken.NONE);
    memo.fib(100, CancellationToken.NONE);
    CacheStats stats = memo.cache();
    assertEquals(1, stats.hits());
    assertEquals(1, stats.misses());
    assertEquals(99, stats.entries(), "fib(2)..fib(100)");

    memo.fib(10_000, CancellationToken.NONE);
    memo.fib(9_000, CancellationToken.NONE);
    CacheStats full = memo.cache();
    assertEquals(FibonacciKernels.Memoized.CAPACITY, full.capacity());
    assertTrue(full.entries() <= full.capacity(), full.toString());
    assertEquals(FibOracle.fib(9_000), memo.fib(9_000, CancellationToken.NONE));
  }
}
