package dev.fibperf.server.compute;

import java.math.BigInteger;

/** The ways fibperf computes fib(n), each with its kernel and cost model. */
public enum Algorithm {
  /** Naive recursion: exponential work, the CPU-bound task to profile and parallelise. */
  NAIVE {
    @Override
    public BigInteger compute(int n, CancellationToken token) {
      return BigInteger.valueOf(FibKernels.naive(n, token));
    }

    @Override
    public double cost(int n) {
      return CostModel.naiveCalls(n);
    }
  },
  /** n big-integer additions. */
  ITERATIVE {
    @Override
    public BigInteger compute(int n, CancellationToken token) {
      return FibKernels.iterative(n, token);
    }

    /**
     * n steps, the i-th adding numbers of about 0.69·i bits: a constant per step plus a term
     * quadratic in n. Fitted by {@code bench.CostModelTable} (BENCHMARKS.md, "Cost models").
     */
    @Override
    public double cost(int n) {
      return Math.max(1, n + (double) n * n / 1000);
    }
  },
  /** About log2(n) big-integer multiplications. */
  FAST_DOUBLING {
    @Override
    public BigInteger compute(int n, CancellationToken token) {
      return FibKernels.fastDoubling(n, token);
    }

    /**
     * A fixed cost per call (log2(n) cheap steps at these sizes) plus multiplications of numbers of
     * about 0.69·n bits, which BigInteger's Karatsuba and Toom-Cook make grow as about n^1.4 here.
     * Fitted by {@code bench.CostModelTable} (BENCHMARKS.md, "Cost models").
     */
    @Override
    public double cost(int n) {
      return 5000 + Math.pow(n, 1.38);
    }
  };

  /**
   * Computes fib(n).
   *
   * @throws java.util.concurrent.CancellationException if {@code token} is cancelled first
   */
  public abstract BigInteger compute(int n, CancellationToken token);

  /**
   * Relative cost of fib(n): calls for naive recursion, a model fitted to measured times otherwise.
   * Only ratios between tasks of one algorithm are meaningful; fibperf uses it to order tasks
   * before anything is measured (bounds come from measured CPU times).
   */
  public abstract double cost(int n);
}
