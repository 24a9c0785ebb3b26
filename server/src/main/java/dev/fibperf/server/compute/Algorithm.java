package dev.fibperf.server.compute;

import dev.fibperf.kernel.Kernel;
import dev.fibperf.kernel.KernelOutput;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.regex.Pattern;

/**
 * What a run's tasks compute: a {@link Kernel}, fibperf's own or one loaded with {@code --kernels},
 * and where it came from. The contract's {@code algorithm} names the three built-in Fibonacci
 * kernels ({@link #NAIVE}, {@link #ITERATIVE}, {@link #FAST_DOUBLING}); its {@code kernel} names
 * any. Every task is computed through {@link Kernel#compute}: the built-ins have no other path.
 */
public final class Algorithm {
  /** What a kernel's name may be: lower-case letters, digits and hyphens, from a letter. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");

  /** Where the built-in kernels come from. */
  public static final String BUILT_IN_ORIGIN = "built-in";

  public static final Algorithm NAIVE =
      new Algorithm(new FibonacciKernels.Naive(), "NAIVE", BUILT_IN_ORIGIN, "built-in");
  public static final Algorithm ITERATIVE =
      new Algorithm(new FibonacciKernels.Iterative(), "ITERATIVE", BUILT_IN_ORIGIN, "built-in");
  public static final Algorithm FAST_DOUBLING =
      new Algorithm(
          new FibonacciKernels.FastDoubling(), "FAST_DOUBLING", BUILT_IN_ORIGIN, "built-in");

  /** fib(n) with a bounded cache: named by {@code kernel} only ("fib-memo"). */
  public static final Algorithm MEMOIZED =
      new Algorithm(new FibonacciKernels.Memoized(), "MEMOIZED", BUILT_IN_ORIGIN, "built-in");

  /** The built-in kernels: the contract's three {@code algorithm}s, then the memoized one. */
  public static final List<Algorithm> BUILT_IN = List.of(NAIVE, ITERATIVE, FAST_DOUBLING, MEMOIZED);

  private final Kernel kernel;
  private final String label;
  private final String origin;
  private final String digest;

  private Algorithm(Kernel kernel, String label, String origin, String digest) {
    this.kernel = Objects.requireNonNull(kernel, "kernel");
    this.label = label;
    this.origin = origin;
    this.digest = digest;
  }

  /**
   * A kernel loaded from {@code origin}.
   *
   * @param digest the SHA-256 of the jar it came from, in hex: what a worker process or a peer must
   *     hold too
   * @throws IllegalArgumentException if its name, range or description breaks the API's rules
   */
  public static Algorithm loaded(Kernel kernel, String origin, String digest) {
    String name = kernel.name();
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          kernel.getClass().getName() + ": name \"" + name + "\" is not " + NAME.pattern());
    }
    if (kernel.minSize() < 0 || kernel.maxSize() < kernel.minSize()) {
      throw new IllegalArgumentException(
          name
              + ": size range ["
              + kernel.minSize()
              + ", "
              + kernel.maxSize()
              + "] is empty or"
              + " negative");
    }
    return new Algorithm(kernel, name, origin, digest);
  }

  /**
   * Its label in metrics, flags and the run list: {@code NAIVE}, {@code ITERATIVE} or {@code
   * FAST_DOUBLING} for the built-ins, the kernel's name otherwise.
   */
  public String name() {
    return label;
  }

  /** The kernel's own name, e.g. {@code fib-naive}. */
  public String kernelName() {
    return kernel.name();
  }

  public Kernel kernel() {
    return kernel;
  }

  /** "built-in", or the jar it was loaded from. */
  public String origin() {
    return origin;
  }

  /** "built-in", or the SHA-256 of the jar it was loaded from. */
  public String digest() {
    return digest;
  }

  public boolean builtIn() {
    return BUILT_IN_ORIGIN.equals(origin);
  }

  /** Whether the contract's {@code algorithm} enum names it (the three the cluster's peers run). */
  public boolean namedByAlgorithm() {
    return this == NAIVE || this == ITERATIVE || this == FAST_DOUBLING;
  }

  /** The kernel's cache figures so far, or null when it keeps none (or fails to say). */
  public dev.fibperf.kernel.CacheStats cacheStats() {
    try {
      return kernel.cache();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Computes one task: the kernel's result as the caller sees it (text, or bytes in hex).
   *
   * @throws CancellationException if {@code token} is cancelled first
   * @throws KernelFailedException if the kernel threw, or returned nothing or too much
   */
  public String compute(int n, CancellationToken token) {
    KernelOutput output;
    try {
      output = kernel.compute(n, token);
    } catch (CancellationException e) {
      throw e;
    } catch (Exception | StackOverflowError | OutOfMemoryError e) {
      throw new KernelFailedException(kernel.name(), n, e);
    }
    if (output == null) {
      throw new KernelFailedException(kernel.name(), n, "returned no output");
    }
    String shown = output.display();
    // The built-ins' values are bounded by the request checks (--max-n-*, the message budget);
    // a loaded kernel's by this.
    if (!builtIn() && shown.length() > KernelOutput.MAX_CHARS) {
      throw new KernelFailedException(
          kernel.name(),
          n,
          "returned " + shown.length() + " characters, more than " + KernelOutput.MAX_CHARS);
    }
    return shown;
  }

  /**
   * The kernel's relative cost of size {@code n}, to order tasks before any is measured; bounds
   * come from measured CPU times. A hint that throws or is not a finite number counts as {@code n}.
   */
  public double cost(int n) {
    try {
      double hint = kernel.costHint(n);
      return Double.isFinite(hint) && hint >= 0 ? hint : n;
    } catch (RuntimeException e) {
      return n;
    }
  }

  @Override
  public String toString() {
    return label;
  }
}
