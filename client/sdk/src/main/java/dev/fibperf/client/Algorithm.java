package dev.fibperf.client;

/** How the server computes fib(n). */
public enum Algorithm {
  /** Naive recursion, 2*F(n+1)-1 calls: the CPU-bound work fibperf exists to measure. */
  NAIVE,
  /** n big-integer additions. */
  ITERATIVE,
  /** About log2(n) big-integer multiplications: the "smarter algorithm" answer. */
  FAST_DOUBLING
}
