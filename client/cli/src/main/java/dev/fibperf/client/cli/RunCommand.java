package dev.fibperf.client.cli;

import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.Workload;
import picocli.CommandLine.Mixin;

/** A subcommand that runs one stream ending in a {@link RunSummary}: serial or parallel. */
abstract class RunCommand extends ClientCommand {
  @Mixin WorkloadOptions workload;

  /** Starts the call. */
  abstract EventStream start(FibPerfClient client, Workload workload);

  /** The summary table's title. */
  abstract String title();

  @Override
  int run(FibPerfClient client) {
    Printer printer = printer();
    RunSummary summary =
        (RunSummary) printer.follow(start(client, workload.workload()), workload.taskCount(), 1);
    if (!printer.json()) {
      printer.summary(title(), summary);
    }
    return 0;
  }
}
