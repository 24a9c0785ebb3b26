package dev.fibperf.client.cli;

import dev.fibperf.client.Algorithm;
import dev.fibperf.client.PoolKind;
import dev.fibperf.client.Workload;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What to compute; shared by the run subcommands. */
final class WorkloadOptions {
  @Option(
      names = "--nums",
      split = ",",
      paramLabel = "<n>",
      description =
          "Fibonacci inputs (a kernel's sizes with --kernel), comma-separated (default: the"
              + " server's 34,35,36,35).")
  List<Integer> nums = new ArrayList<>();

  @Option(
      names = "--algorithm",
      defaultValue = "NAIVE",
      description = "NAIVE, ITERATIVE or FAST_DOUBLING (default ${DEFAULT-VALUE}).")
  Algorithm algorithm;

  @Option(
      names = "--kernel",
      defaultValue = "",
      paramLabel = "<name>",
      description =
          "A kernel by name (fibperf kernels), e.g. one the server loaded with --kernels;"
              + " --nums are then its sizes. Default: --algorithm's.")
  String kernel;

  @Option(
      names = "--pool",
      defaultValue = "THREADS",
      description =
          "THREADS, PROCESSES (worker JVMs) or CLUSTER (the server's --peers replicas); for"
              + " compare, its parallel phase.")
  PoolKind pool;

  /**
   * @throws FibPerfCli.UsageException for values the SDK refuses (a negative n)
   */
  Workload workload() {
    try {
      return new Workload(nums, algorithm, 0, pool, kernel);
    } catch (IllegalArgumentException e) {
      throw new FibPerfCli.UsageException(e.getMessage());
    }
  }

  /** Tasks the server will run, or 0 when the server chooses them (its defaults). */
  int taskCount() {
    return nums.size();
  }
}
