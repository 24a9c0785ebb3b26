package dev.fibperf.client.cli;

import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.Workload;
import picocli.CommandLine.Command;

@Command(
    name = "parallel",
    description = "Run the tasks on the server's worker pool, largest first.",
    mixinStandardHelpOptions = true)
final class ParallelCommand extends RunCommand {
  @Override
  EventStream start(FibPerfClient client, Workload workload) {
    return client.parallelStream(workload);
  }

  @Override
  String title() {
    return "Parallel";
  }
}
