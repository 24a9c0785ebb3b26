package dev.fibperf.bench.kernels;

import dev.fibperf.kernel.Cancellation;
import dev.fibperf.kernel.Kernel;
import dev.fibperf.kernel.KernelOutput;

/**
 * fib-naive's code as a user would write it in a jar of their own: the same recursion, checking its
 * cancellation from n = 20 up, for {@code KernelPathCost} to load with {@code --kernels}.
 */
public final class NaiveFibCopy implements Kernel {
  @Override
  public String name() {
    return "fib-naive-copy";
  }

  @Override
  public String version() {
    return "bench";
  }

  @Override
  public String description() {
    return "fib(n) by naive recursion, loaded from a jar";
  }

  @Override
  public long minSize() {
    return 0;
  }

  @Override
  public long maxSize() {
    return 92;
  }

  @Override
  public KernelOutput compute(long size, Cancellation cancellation) {
    return KernelOutput.text(Long.toString(fib((int) size, cancellation)));
  }

  private static long fib(int n, Cancellation cancellation) {
    if (n < 20) {
      return plain(n);
    }
    cancellation.check();
    return fib(n - 1, cancellation) + fib(n - 2, cancellation);
  }

  private static long plain(int n) {
    return n < 2 ? n : plain(n - 1) + plain(n - 2);
  }
}
