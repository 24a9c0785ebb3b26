package dev.fibperf.server.service;

import dev.fibperf.proto.v1.Algorithm;
import dev.fibperf.server.compute.CostModel;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.Task;
import io.grpc.Status;
import io.grpc.StatusException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns request fields into a {@link Workload}, or an INVALID_ARGUMENT status naming the field, the
 * value and the limit it breaks (and the server flag that sets the limit).
 */
final class RequestValidator {
  /** The origin's inputs: expensive enough to see, quick enough to wait for. */
  static final List<Integer> DEFAULT_NUMS = List.of(34, 35, 36, 35);

  private final ServerConfig config;

  RequestValidator(ServerConfig config) {
    this.config = config;
  }

  /**
   * @param nums the request's inputs; empty means {@link #DEFAULT_NUMS}
   * @param parallelism 0 means the pool's size; ignored by serial runs
   * @param runs how many times the call runs the tasks (2 for Compare), for the work limit
   */
  Workload validate(
      List<Integer> nums, int algorithmValue, int parallelism, int runs, int poolValue)
      throws StatusException {
    PoolKind pool = pool(poolValue);
    dev.fibperf.server.compute.Algorithm kernel = kernel(algorithmValue);
    List<Integer> inputs = nums.isEmpty() ? DEFAULT_NUMS : nums;
    if (inputs.size() > config.maxTasks()) {
      throw invalid(
          "nums has %d entries, exceeds max tasks %d (--max-tasks)",
          inputs.size(), config.maxTasks());
    }
    int maxN = maxN(kernel);
    List<Task> tasks = new ArrayList<>(inputs.size());
    double naiveCalls = 0;
    for (int i = 0; i < inputs.size(); i++) {
      // uint32 arrives as a signed int: values above 2^31-1 are negative here.
      long n = Integer.toUnsignedLong(inputs.get(i));
      if (n > maxN) {
        throw invalid(
            "nums[%d]=%d exceeds max n %d for algorithm %s (%s)",
            i, n, maxN, algorithm(kernel), maxNFlag(kernel));
      }
      tasks.add(new Task(i, (int) n));
      if (kernel == dev.fibperf.server.compute.Algorithm.NAIVE) {
        naiveCalls += CostModel.naiveCalls((int) n);
      }
    }
    if (naiveCalls * runs > config.maxNaiveCalls()) {
      throw invalid(
          "nums need %.3g naive-recursion calls%s, exceeds max %.3g per request"
              + " (--max-naive-calls); use smaller n or fewer tasks",
          naiveCalls * runs,
          runs > 1 ? " (" + runs + " runs)" : "",
          (double) config.maxNaiveCalls());
    }
    long requestedParallelism = Integer.toUnsignedLong(parallelism);
    if (requestedParallelism > config.workers()) {
      throw invalid(
          "parallelism=%d exceeds the pool's %d workers (--workers)",
          requestedParallelism, config.workers());
    }
    int effective = requestedParallelism == 0 ? config.workers() : (int) requestedParallelism;
    return new Workload(tasks, kernel, effective, pool);
  }

  private static dev.fibperf.server.compute.Algorithm kernel(int algorithmValue)
      throws StatusException {
    Algorithm algorithm = Algorithm.forNumber(algorithmValue);
    if (algorithm == null) {
      throw invalid(
          "algorithm=%d is not one of ALGORITHM_NAIVE, ALGORITHM_ITERATIVE,"
              + " ALGORITHM_FAST_DOUBLING",
          algorithmValue);
    }
    switch (algorithm) {
      case ALGORITHM_UNSPECIFIED:
      case ALGORITHM_NAIVE:
        return dev.fibperf.server.compute.Algorithm.NAIVE;
      case ALGORITHM_ITERATIVE:
        return dev.fibperf.server.compute.Algorithm.ITERATIVE;
      case ALGORITHM_FAST_DOUBLING:
        return dev.fibperf.server.compute.Algorithm.FAST_DOUBLING;
      default:
        throw new AssertionError(algorithm);
    }
  }

  private static PoolKind pool(int value) throws StatusException {
    dev.fibperf.proto.v1.PoolKind pool = dev.fibperf.proto.v1.PoolKind.forNumber(value);
    if (pool == null) {
      throw invalid("pool=%d is not one of POOL_KIND_THREADS, POOL_KIND_PROCESSES", value);
    }
    return pool == dev.fibperf.proto.v1.PoolKind.POOL_KIND_PROCESSES
        ? PoolKind.PROCESSES
        : PoolKind.THREADS;
  }

  static dev.fibperf.proto.v1.PoolKind pool(PoolKind kind) {
    return dev.fibperf.proto.v1.PoolKind.valueOf("POOL_KIND_" + kind.name());
  }

  static Algorithm algorithm(dev.fibperf.server.compute.Algorithm kernel) {
    return Algorithm.valueOf("ALGORITHM_" + kernel.name());
  }

  private int maxN(dev.fibperf.server.compute.Algorithm kernel) {
    switch (kernel) {
      case NAIVE:
        return config.maxNaiveN();
      case ITERATIVE:
        return config.maxIterativeN();
      default:
        return config.maxFastDoublingN();
    }
  }

  private static String maxNFlag(dev.fibperf.server.compute.Algorithm kernel) {
    return "--max-n-" + kernel.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  static StatusException invalid(String format, Object... args) {
    return Status.INVALID_ARGUMENT.withDescription(String.format(format, args)).asException();
  }
}
