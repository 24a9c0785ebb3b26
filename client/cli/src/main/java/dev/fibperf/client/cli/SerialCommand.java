package dev.fibperf.client.cli;

import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.RunSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "serial",
    description = "Run the tasks one after another: the baseline.",
    mixinStandardHelpOptions = true)
final class SerialCommand extends ClientCommand {
  @Mixin WorkloadOptions workload;

  @Override
  int run(FibPerfClient client) {
    Printer printer = printer();
    RunSummary summary =
        (RunSummary)
            printer.follow(client.serialStream(workload.workload()), workload.taskCount(), 1);
    if (!printer.json()) {
      printer.summary("Serial", summary);
    }
    return 0;
  }
}
