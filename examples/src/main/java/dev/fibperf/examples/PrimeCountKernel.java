package dev.fibperf.examples;

import dev.fibperf.kernel.Cancellation;
import dev.fibperf.kernel.Kernel;
import dev.fibperf.kernel.KernelOutput;

/**
 * The number of primes up to n, by a segmented sieve of Eratosthenes: memory of about √n bytes plus
 * one 256 KiB segment whatever n is, so a task's memory stays bounded while its time grows as n log
 * log n.
 */
public final class PrimeCountKernel implements Kernel {
  private static final int SEGMENT = 1 << 18;

  @Override
  public String name() {
    return "prime-count";
  }

  @Override
  public String version() {
    return "1.0";
  }

  @Override
  public String description() {
    return "the number of primes up to n (segmented sieve of Eratosthenes)";
  }

  @Override
  public long minSize() {
    return 0;
  }

  /** Two billion: about ten seconds here. */
  @Override
  public long maxSize() {
    return 2_000_000_000L;
  }

  @Override
  public KernelOutput compute(long size, Cancellation cancellation) {
    return KernelOutput.text(Long.toString(count(size, cancellation)));
  }

  @Override
  public double costHint(long size) {
    return size < 3 ? 1 : size * Math.log(Math.log(size) + 1);
  }

  /** π(n). */
  static long count(long n, Cancellation cancellation) {
    if (n < 2) {
      return 0;
    }
    int root = (int) Math.sqrt((double) n);
    while ((long) (root + 1) * (root + 1) <= n) {
      root++;
    }
    // The primes up to √n, by a plain sieve.
    boolean[] composite = new boolean[root + 1];
    int[] small = new int[root + 1];
    int smallCount = 0;
    for (int i = 2; i <= root; i++) {
      if (!composite[i]) {
        small[smallCount++] = i;
        for (long j = (long) i * i; j <= root; j += i) {
          composite[(int) j] = true;
        }
      }
    }
    // Then each segment [low, low + SEGMENT) of [2, n], crossed off by those primes.
    boolean[] segment = new boolean[SEGMENT];
    long count = 0;
    for (long low = 2; low <= n; low += SEGMENT) {
      cancellation.check();
      long high = Math.min(n, low + SEGMENT - 1);
      java.util.Arrays.fill(segment, false);
      for (int k = 0; k < smallCount; k++) {
        long p = small[k];
        if (p * p > high) {
          break;
        }
        long start = Math.max(p * p, (low + p - 1) / p * p);
        for (long j = start; j <= high; j += p) {
          segment[(int) (j - low)] = true;
        }
      }
      for (int i = 0; i <= high - low; i++) {
        if (!segment[i]) {
          count++;
        }
      }
    }
    return count;
  }
}
