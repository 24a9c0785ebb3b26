package dev.fibperf.client.cli;

import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.Workload;
import picocli.CommandLine.Command;

@Command(
    name = "serial",
    description = "Run the tasks one after another: the baseline.",
    mixinStandardHelpOptions = true)
final class SerialCommand extends RunCommand {
  @Override
  EventStream start(FibPerfClient client, Workload workload) {
    return client.serialStream(workload);
  }

  @Override
  String title() {
    return "Serial";
  }
}
