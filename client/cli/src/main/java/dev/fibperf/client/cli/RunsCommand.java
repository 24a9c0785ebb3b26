package dev.fibperf.client.cli;

import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.RunInfo;
import dev.fibperf.client.RunList;
import java.util.Locale;
import picocli.CommandLine.Command;

@Command(
    name = "runs",
    description = "List the server's runs in flight and its recent finished ones.",
    mixinStandardHelpOptions = true)
final class RunsCommand extends ClientCommand {
  @Override
  int run(FibPerfClient client) {
    if (output.json) {
      out().println(Printer.toJson(client.listRunsMessage()));
      return 0;
    }
    RunList runs = client.listRuns();
    out().printf("in flight (%d)%n", runs.inFlight().size());
    for (RunInfo r : runs.inFlight()) {
      out()
          .printf(
              Locale.ROOT,
              "  %6d  %-14s %d/%d tasks  nums=%s%s%n",
              r.runId(),
              r.method(),
              r.tasksDone(),
              r.tasksTotal(),
              r.nums(),
              partOf(r));
    }
    out().printf("recent (%d)%n", runs.recent().size());
    for (RunInfo r : runs.recent()) {
      out()
          .printf(
              Locale.ROOT,
              "  %6d  %-14s %s  nums=%s%s%n",
              r.runId(),
              r.method(),
              WatchCommand.result(r),
              r.nums(),
              partOf(r));
    }
    return 0;
  }

  /** For a peer's share of another replica's run, whose run it is. */
  private static String partOf(RunInfo r) {
    return r.coordinatorRun()
        .map(c -> "  (task of run " + c.runId() + " on " + c.coordinator() + ")")
        .orElse("");
  }
}
