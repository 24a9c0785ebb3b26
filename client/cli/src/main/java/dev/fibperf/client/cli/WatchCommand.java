package dev.fibperf.client.cli;

import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibEvent;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.PhaseCompleted;
import dev.fibperf.client.RunInfo;
import dev.fibperf.client.RunMethod;
import dev.fibperf.client.RunState;
import dev.fibperf.client.RunWatchEvent;
import dev.fibperf.client.TaskFinished;
import dev.fibperf.client.TaskStarted;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "watch",
    description = {
      "Watch the server's runs, whoever started them.",
      "Until Ctrl-C, or until the one run watched ends. On a terminal, a board of the runs in"
          + " flight with their progress and the recent ones with their result; piped, one line"
          + " per event; with --json, NDJSON."
    },
    mixinStandardHelpOptions = true)
final class WatchCommand extends ClientCommand {
  @Option(names = "--run-id", defaultValue = "0", description = "Only this run (default: all).")
  long runId;

  @Option(
      names = "--method",
      description = "Only runs of this method: ${COMPLETION-CANDIDATES} (default: all).")
  RunMethod method;

  @Override
  int run(FibPerfClient client) {
    boolean board = !output.json && Terminal.isInteractive();
    RunBoard runs = new RunBoard();
    long lastDraw = 0;
    try (EventStream watch = client.watchRuns(runId, method)) {
      for (FibEvent e : watch) {
        if (output.json) {
          out().println(Printer.toJson(watch.lastMessage()));
        } else if (board) {
          runs.apply((RunWatchEvent) e);
          long now = System.nanoTime();
          // Redrawn at most five times a second: a fast run sends hundreds of events.
          if (now - lastDraw > 200_000_000L
              || ((RunWatchEvent) e).kind() == RunWatchEvent.Kind.FINISHED) {
            out().print("\033[H\033[2J" + String.join("\n", runs.lines()) + "\n");
            lastDraw = now;
          }
        } else {
          out().println(line((RunWatchEvent) e));
        }
        out().flush();
      }
    }
    return 0;
  }

  /** One plain line per watch event. */
  static String line(RunWatchEvent w) {
    String run =
        String.format(Locale.ROOT, "run %d %s", w.runId(), w.method().map(Enum::name).orElse(""));
    switch (w.kind()) {
      case IN_FLIGHT:
        return run + " in flight " + progress(w.run().orElseThrow());
      case ACCEPTED:
        return run + " accepted  " + inputs(w.run().orElseThrow());
      case TASK_STARTED:
        TaskStarted s = (TaskStarted) w.detail().orElseThrow();
        return String.format(
            Locale.ROOT,
            "%s %s started  task %d n=%d on %s",
            run,
            phase(s.phase()),
            s.index(),
            s.n(),
            s.worker());
      case TASK_FINISHED:
        TaskFinished f = (TaskFinished) w.detail().orElseThrow();
        return String.format(
            Locale.ROOT,
            "%s %s finished task %d n=%d in %s on %s",
            run,
            phase(f.phase()),
            f.index(),
            f.n(),
            Printer.format(f.duration()),
            f.worker());
      case PROFILE_SNAPSHOT:
        return run + " profile snapshot";
      case PHASE_COMPLETED:
        PhaseCompleted p = (PhaseCompleted) w.detail().orElseThrow();
        return String.format(
            Locale.ROOT,
            "%s %s phase done, wall %s",
            run,
            phase(p.phase()),
            Printer.format(p.summary().wall()));
      case FINISHED:
        return run + " finished  " + result(w.run().orElseThrow());
      case EVENTS_DROPPED:
        return String.format(
            Locale.ROOT, "(this watch fell behind: %d events dropped)", w.droppedEvents());
    }
    throw new AssertionError(w.kind());
  }

  private static String phase(dev.fibperf.client.Phase p) {
    return p.name().toLowerCase(Locale.ROOT);
  }

  private static String inputs(RunInfo r) {
    return String.format(
        Locale.ROOT,
        "nums=%s %s on %s",
        r.nums(),
        r.algorithm(),
        r.pool().name().toLowerCase(Locale.ROOT));
  }

  private static String progress(RunInfo r) {
    return String.format(Locale.ROOT, "%s, %d/%d tasks", inputs(r), r.tasksDone(), r.tasksTotal());
  }

  /** A finished run: its status, and its wall or its speedup and verdict. */
  static String result(RunInfo r) {
    if (r.state() != RunState.SUCCEEDED) {
      return r.state()
          + " "
          + r.statusCode().orElse("")
          + r.statusMessage().map(m -> ": " + m).orElse("");
    }
    if (r.comparison().isPresent()) {
      var c = r.comparison().get();
      return String.format(
          Locale.ROOT,
          "SUCCEEDED speedup %.2fx (ideal %.2fx), %.0f%% of the optimal schedule, %s",
          c.speedup(),
          c.idealSpeedup(),
          100 * c.attainment(),
          c.verdict());
    }
    return "SUCCEEDED wall " + r.summary().map(s -> Printer.format(s.wall())).orElse("?");
  }
}
