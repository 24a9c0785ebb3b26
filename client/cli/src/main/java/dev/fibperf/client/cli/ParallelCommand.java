package dev.fibperf.client.cli;

import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "parallel",
    description = "Run the tasks on the server's worker pool, largest first.",
    mixinStandardHelpOptions = true)
final class ParallelCommand extends RunCommand {
  @Mixin ParallelismOption parallelism;

  @Override
  EventStream start(FibPerfClient client, Workload workload) {
    return client.parallelStream(parallelism.applyTo(workload));
  }

  @Override
  String title() {
    return "Parallel";
  }
}
