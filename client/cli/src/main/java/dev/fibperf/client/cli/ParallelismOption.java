package dev.fibperf.client.cli;

import dev.fibperf.client.Workload;
import picocli.CommandLine.Option;

/** How many tasks at once: only for the commands that run tasks in parallel. */
final class ParallelismOption {
  @Option(
      names = "--parallelism",
      defaultValue = "0",
      description = "Most tasks at once; 0 (default) = the server's pool size.")
  int parallelism;

  /**
   * @throws FibPerfCli.UsageException for a value the SDK refuses (a negative one)
   */
  Workload applyTo(Workload workload) {
    try {
      return workload.withParallelism(parallelism);
    } catch (IllegalArgumentException e) {
      throw new FibPerfCli.UsageException(e.getMessage());
    }
  }
}
