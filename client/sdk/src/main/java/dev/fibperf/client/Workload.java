package dev.fibperf.client;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What to compute: the inputs, the algorithm and, for parallel runs, how many tasks at once.
 *
 * <pre>{@code
 * Workload w = Workload.of(34, 35, 36, 35).withParallelism(2);
 * }</pre>
 *
 * @param nums the inputs; empty means the server's default [34, 35, 36, 35]
 * @param algorithm the kernel
 * @param parallelism most tasks at once in a parallel run; 0 means the server's pool size
 * @param pool where the server runs the tasks (for Compare: its parallel phase)
 * @param kernel a kernel by name ({@link FibPerfClient#listKernels()}), e.g. one loaded with the
 *     server's {@code --kernels}; empty for {@code algorithm}'s
 * @param label a name for the runs of this workload in the server's history (up to 64 of A-Z a-z
 *     0-9 . _ : -), to find them by and compare them with another label's ({@link
 *     FibPerfClient#compareLabels}); empty for none
 */
public record Workload(
    List<Integer> nums,
    Algorithm algorithm,
    int parallelism,
    PoolKind pool,
    String kernel,
    String label) {
  /** The server's defaults: nums [34, 35, 36, 35], naive recursion, the whole thread pool. */
  public static final Workload DEFAULT =
      new Workload(List.of(), Algorithm.NAIVE, 0, PoolKind.THREADS);

  /** A workload of one of the built-in kernels, named by {@code algorithm}. */
  public Workload(List<Integer> nums, Algorithm algorithm, int parallelism, PoolKind pool) {
    this(nums, algorithm, parallelism, pool, "");
  }

  /** A workload of a kernel by name, without a label. */
  public Workload(
      List<Integer> nums, Algorithm algorithm, int parallelism, PoolKind pool, String kernel) {
    this(nums, algorithm, parallelism, pool, kernel, "");
  }

  public Workload {
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(label, "label");
    nums = List.copyOf(nums);
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(pool, "pool");
    for (int i = 0; i < nums.size(); i++) {
      if (nums.get(i) < 0) {
        throw new IllegalArgumentException("nums[" + i + "]=" + nums.get(i) + " is negative");
      }
    }
    if (parallelism < 0) {
      throw new IllegalArgumentException("parallelism=" + parallelism + " is negative");
    }
  }

  /**
   * Naive recursion over {@code nums}, on the whole pool.
   *
   * <pre>{@code
   * Workload w = Workload.of(30, 31, 32);
   * }</pre>
   */
  public static Workload of(int... nums) {
    return new Workload(Arrays.stream(nums).boxed().toList(), Algorithm.NAIVE, 0, PoolKind.THREADS);
  }

  /**
   * The same inputs with another algorithm: {@code Workload.of(90).withAlgorithm(FAST_DOUBLING)}.
   */
  public Workload withAlgorithm(Algorithm algorithm) {
    return new Workload(nums, algorithm, parallelism, pool, kernel, label);
  }

  /**
   * The same sizes for a kernel by name: {@code Workload.of(100_000).withKernel("pbkdf2-sha256")}.
   * The server checks the sizes against the kernel's range.
   */
  /**
   * The same workload whose runs carry {@code label} in the server's history: {@code
   * client.compareLabels("after", "before")} then compares them with another label's.
   */
  public Workload withLabel(String label) {
    return new Workload(nums, algorithm, parallelism, pool, kernel, label);
  }

  public Workload withKernel(String kernel) {
    return new Workload(nums, algorithm, parallelism, pool, kernel, label);
  }

  /** The same work on another pool: {@code Workload.DEFAULT.withPool(PoolKind.PROCESSES)}. */
  public Workload withPool(PoolKind pool) {
    return new Workload(nums, algorithm, parallelism, pool, kernel, label);
  }

  /**
   * The same inputs with at most {@code parallelism} tasks at once: {@code w.withParallelism(2)}.
   */
  public Workload withParallelism(int parallelism) {
    return new Workload(nums, algorithm, parallelism, pool, kernel, label);
  }
}
