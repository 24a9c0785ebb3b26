package dev.fibperf.client.cli;

import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.RunSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "parallel",
    description = "Run the tasks on the server's worker pool, largest first.",
    mixinStandardHelpOptions = true)
final class ParallelCommand extends ClientCommand {
  @Mixin WorkloadOptions workload;

  @Override
  int run(FibPerfClient client) {
    Printer printer = printer();
    RunSummary summary =
        (RunSummary)
            printer.follow(client.parallelStream(workload.workload()), workload.taskCount(), 1);
    if (!printer.json()) {
      printer.summary("Parallel", summary);
    }
    return 0;
  }
}
