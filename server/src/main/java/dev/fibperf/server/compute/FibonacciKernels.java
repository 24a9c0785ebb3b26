package dev.fibperf.server.compute;

import dev.fibperf.kernel.Cancellation;
import dev.fibperf.kernel.Kernel;
import dev.fibperf.kernel.KernelOutput;

/**
 * fibperf's own kernels, the three ways to compute fib(n), through the same {@link Kernel} API a
 * user's kernel implements and found the same way ({@code META-INF/services}). Sizes are n; values
 * are decimal. The server's {@code --max-n-*} limits apply on top of the ranges declared here.
 */
public final class FibonacciKernels {
  private FibonacciKernels() {}

  /** The server's own token when it is one; outside fibperf, a token that is never cancelled. */
  static CancellationToken token(Cancellation cancellation) {
    return cancellation instanceof CancellationToken token ? token : CancellationToken.NONE;
  }

  /**
   * What the Fibonacci kernels share: sizes are n from 0, values decimal, version 1. Each names
   * itself and its largest n.
   */
  private abstract static class Fibonacci implements Kernel {
    private final String name;
    private final String description;
    private final long maxSize;

    Fibonacci(String name, String description, long maxSize) {
      this.name = name;
      this.description = description;
      this.maxSize = maxSize;
    }

    @Override
    public final String name() {
      return name;
    }

    @Override
    public final String version() {
      return "1";
    }

    @Override
    public final String description() {
      return description;
    }

    @Override
    public final long minSize() {
      return 0;
    }

    @Override
    public final long maxSize() {
      return maxSize;
    }
  }

  /** Naive recursion: exponential work, the CPU-bound task to profile and parallelise. */
  public static final class Naive extends Fibonacci {
    /** fib(92) is the largest that fits in a long. */
    public Naive() {
      super("fib-naive", "fib(n) by naive recursion: about 1.6^n calls", 92);
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      return KernelOutput.text(Long.toString(FibKernels.naive((int) size, token(cancellation))));
    }

    @Override
    public double costHint(long size) {
      return CostModel.naiveCalls((int) size);
    }
  }

  /** n big-integer additions. */
  public static final class Iterative extends Fibonacci {
    public Iterative() {
      super("fib-iterative", "fib(n) by n big-integer additions", Integer.MAX_VALUE);
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      return KernelOutput.text(FibKernels.iterative((int) size, token(cancellation)).toString());
    }

    /**
     * n steps, the i-th adding numbers of about 0.69·i bits: a constant per step plus a term
     * quadratic in n. Fitted by {@code bench.CostModelTable} (BENCHMARKS.md, "Cost models").
     */
    @Override
    public double costHint(long size) {
      return Math.max(1, size + (double) size * size / 1000);
    }
  }

  /** About log2(n) big-integer multiplications. */
  public static final class FastDoubling extends Fibonacci {
    public FastDoubling() {
      super(
          "fib-fast-doubling",
          "fib(n) by fast doubling: about log2(n) big-integer multiplications",
          Integer.MAX_VALUE);
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      return KernelOutput.text(FibKernels.fastDoubling((int) size, token(cancellation)).toString());
    }

    /**
     * A fixed cost per call (log2(n) cheap steps at these sizes) plus multiplications of numbers of
     * about 0.69·n bits, which BigInteger's Karatsuba and Toom-Cook make grow as about n^1.4 here.
     * Fitted by {@code bench.CostModelTable} (BENCHMARKS.md, "Cost models").
     */
    @Override
    public double costHint(long size) {
      return 5000 + Math.pow(size, 1.38);
    }
  }

  /**
   * fib(n) remembered: the original sample's closing advice (an {@code lru_cache}), bounded. Each
   * value computed is kept, least recently used first out, so a later fib(m) starts from the
   * largest pair of neighbours already known instead of from 0. Shared by every task on this server
   * (or worker process): a warm cache answers instead of computing, which a Compare reports.
   */
  public static final class Memoized extends Fibonacci {
    /** Entries kept: fib(10,000) has 2,090 digits, so a full cache holds about 10 MB. */
    public static final int CAPACITY = 10_000;

    private static final int STEPS_PER_CHECK = 1 << 10;

    private final Object lock = new Object();
    private final java.util.LinkedHashMap<Integer, java.math.BigInteger> cache =
        new java.util.LinkedHashMap<>(256, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(
              java.util.Map.Entry<Integer, java.math.BigInteger> eldest) {
            return size() > CAPACITY;
          }
        };
    private long hits;
    private long misses;

    public Memoized() {
      super(
          "fib-memo",
          "fib(n) with a bounded cache (" + CAPACITY + " values, least recently used out)",
          10_000);
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      return KernelOutput.text(fib((int) size, token(cancellation)).toString());
    }

    /** Cheap for the cache's hits; like the iterative kernel from the nearest known pair. */
    @Override
    public double costHint(long size) {
      return Math.max(1, size + (double) size * size / 1000);
    }

    @Override
    public dev.fibperf.kernel.CacheStats cache() {
      synchronized (lock) {
        return new dev.fibperf.kernel.CacheStats(hits, misses, cache.size(), CAPACITY);
      }
    }

    java.math.BigInteger fib(int n, CancellationToken token) {
      int from;
      java.math.BigInteger a;
      java.math.BigInteger b;
      synchronized (lock) {
        java.math.BigInteger known = cache.get(n);
        if (known != null) {
          hits++;
          return known;
        }
        misses++;
        // The largest k < n whose fib(k) and fib(k - 1) are both kept.
        from = 1;
        a = java.math.BigInteger.ZERO;
        b = java.math.BigInteger.ONE;
        for (int k = n - 1; k >= 2; k--) {
          java.math.BigInteger high = cache.get(k);
          java.math.BigInteger low = high == null ? null : cache.get(k - 1);
          if (low != null) {
            from = k;
            a = low;
            b = high;
            break;
          }
        }
      }
      if (n == 0) {
        return java.math.BigInteger.ZERO;
      }
      for (int k = from + 1; k <= n; k++) {
        if ((k & (STEPS_PER_CHECK - 1)) == 0) {
          token.throwIfCancelled();
        }
        java.math.BigInteger next = a.add(b);
        a = b;
        b = next;
        synchronized (lock) {
          cache.put(k, next);
        }
      }
      return b;
    }
  }
}
