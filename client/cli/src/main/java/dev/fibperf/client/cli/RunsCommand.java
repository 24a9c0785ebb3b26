package dev.fibperf.client.cli;

import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.RunInfo;
import dev.fibperf.client.RunList;
import dev.fibperf.client.RunMethod;
import dev.fibperf.client.RunQuery;
import dev.fibperf.proto.RunsCsv;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "runs",
    description =
        "List the server's runs: in flight, then finished ones from its run history, a page at a"
            + " time; or export them (--csv, --json), or one run's tasks (--tasks).",
    mixinStandardHelpOptions = true)
final class RunsCommand extends ClientCommand {
  @Option(
      names = "--csv",
      description =
          "Print the runs as CSV (one row per run: figures, verdict, workload), or with --tasks"
              + " the run's tasks (one row per task of every phase and round).")
  boolean csv;

  @Option(names = "--page-size", defaultValue = "0", description = "Finished runs per page.")
  int pageSize;

  @Option(
      names = "--page-token",
      defaultValue = "",
      description = "Where the page starts: the token the previous page printed.")
  String pageToken;

  @Option(names = "--method", description = "Only runs of this method: ${COMPLETION-CANDIDATES}.")
  RunMethod method;

  @Option(
      names = "--same-workload-as",
      paramLabel = "<run-id>",
      defaultValue = "0",
      description =
          "Only runs of this run's workload (method, kernel, pool, parallelism and nums).")
  long sameWorkloadAs;

  @Option(
      names = "--tasks",
      paramLabel = "<run-id>",
      defaultValue = "0",
      description = "One run with its tasks instead (JSON, or CSV with --csv).")
  long tasks;

  @Override
  int run(FibPerfClient client) {
    if (tasks > 0) {
      var run = client.getRunMessage(tasks);
      if (csv) {
        out().print(new String(RunsCsv.tasks(run.getRun()), StandardCharsets.UTF_8));
        out().flush();
      } else {
        out().println(Printer.toJson(run));
      }
      return 0;
    }
    RunQuery query =
        RunQuery.all()
            .pageSize(pageSize)
            .after(pageToken)
            .method(method)
            .sameWorkloadAs(sameWorkloadAs);
    if (csv) {
      out().print(new String(RunsCsv.runs(client.listRunsMessage(query)), StandardCharsets.UTF_8));
      out().flush();
      return 0;
    }
    if (output.json) {
      out().println(Printer.toJson(client.listRunsMessage(query)));
      return 0;
    }
    RunList runs = client.listRuns(query);
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
    out().printf("finished (%d)%n", runs.recent().size());
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
    runs.nextPageToken().ifPresent(t -> out().println("next page: --page-token=" + t));
    var h = runs.history();
    if (!h.enabled()) {
      out().println("run history: off (runs are kept in memory only)");
    }
    if (!h.lastError().isEmpty()) {
      out()
          .printf(
              Locale.ROOT,
              "run history: %d writes failed, %d runs dropped; last error: %s%n",
              h.writesFailed(),
              h.runsDropped(),
              h.lastError());
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
