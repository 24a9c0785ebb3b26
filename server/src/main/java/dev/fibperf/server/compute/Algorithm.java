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

    @Override
    public double cost(int n) {
      return Math.max(1, n);
    }
  },
  /** About log2(n) big-integer multiplications. */
  FAST_DOUBLING {
    @Override
    public BigInteger compute(int n, CancellationToken token) {
      return FibKernels.fastDoubling(n, token);
    }

    @Override
    public double cost(int n) {
      return 1 + (Integer.SIZE - Integer.numberOfLeadingZeros(n));
    }
  };

  /**
   * Computes fib(n).
   *
   * @throws java.util.concurrent.CancellationException if {@code token} is cancelled first
   */
  public abstract BigInteger compute(int n, CancellationToken token);

  /**
   * Relative cost of fib(n) in this algorithm's unit of work (calls for naive recursion, steps
   * otherwise). Only ratios between tasks of one algorithm are meaningful.
   */
  public abstract double cost(int n);
}
