package dev.fibperf.client.cli;

import dev.fibperf.client.CompareOptions;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.Schedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "compare",
    description = "Run serial, then parallel, and explain the speedup against its bounds.",
    mixinStandardHelpOptions = true)
final class CompareCommand extends ClientCommand {
  @Mixin WorkloadOptions workload;
  @Mixin ParallelismOption parallelism;

  @Option(names = "--profile", description = "Profile both phases too.")
  boolean profile;

  @Option(
      names = "--diff-flamegraph",
      paramLabel = "FILE",
      description =
          "With --profile: write the serial-to-parallel differential flame graph (HTML) here.")
  java.nio.file.Path diffFlameGraph;

  @Option(
      names = "--repeat",
      defaultValue = "1",
      description =
          "Compare this many times and report the median, min and max: one timing is"
              + " an anecdote (default 1).")
  int repeat;

  @Option(
      names = "--shared",
      description =
          "Run beside other calls instead of holding the server's workers alone; contention is"
              + " then measured and flagged.")
  boolean shared;

  @Option(
      names = "--schedule",
      defaultValue = "MEASURED_OPTIMAL",
      description =
          "How the parallel phase orders its tasks: ${COMPLETION-CANDIDATES} (default:"
              + " ${DEFAULT-VALUE}).")
  Schedule schedule;

  @Option(
      names = "--rounds",
      defaultValue = "0",
      description =
          "Rounds of the two phases, serial and parallel alternating (ABBA); 0 (default): as many"
              + " as reach --precision within --budget; 1: a single sample.")
  int rounds;

  @Option(
      names = "--budget",
      converter = DurationConverter.class,
      description =
          "With --rounds 0: how long the rounds may take, e.g. 10s (default: the server's, 3s).")
  Duration budget;

  @Option(
      names = "--precision",
      defaultValue = "0",
      description =
          "With --rounds 0: stop once the 95%% interval's half-width is this fraction of the"
              + " estimate, e.g. 0.02 (default: the server's, 0.03).")
  double precision;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the bootstrap interval, to reproduce one (default: the run id).")
  long seed;

  @Option(
      names = "--sweep",
      description =
          "Measure the scaling curve too: the parallel phase at 1, 2, ... workers in every round,"
              + " each with its interval and Karp-Flatt serial fraction.")
  boolean sweep;

  @Option(
      names = "--baseline",
      paramLabel = "<run-id|last>",
      description =
          "Then judge this Compare against an earlier one of the same workload from the server's"
              + " run history: a run id, or \"last\" for the last clean one. Prints the change in"
              + " speedup, serial cost and parallel wall, each with its interval and verdict.")
  String baseline;

  private CompareOptions options() {
    return new CompareOptions(profile, !shared, schedule, rounds, budget, precision, seed, sweep);
  }

  /** {@code --baseline} as CompareRuns takes it: 0 for "last", or the run id. */
  private long baselineId() {
    if (baseline == null || baseline.equalsIgnoreCase("last")) {
      return 0;
    }
    try {
      long id = Long.parseLong(baseline);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new FibPerfCli.UsageException(
        "--baseline=" + baseline + " is neither a run id (1 or more) nor \"last\"");
  }

  @Override
  int run(FibPerfClient client) {
    if (repeat < 1) {
      throw new FibPerfCli.UsageException("--repeat=" + repeat + " must be at least 1");
    }
    if (rounds < 0) {
      throw new FibPerfCli.UsageException("--rounds=" + rounds + " must not be negative");
    }
    if (diffFlameGraph != null && !profile) {
      throw new FibPerfCli.UsageException("--diff-flamegraph needs --profile");
    }
    long baselineId = baselineId();
    if (repeat > 1) {
      return repeated(client);
    }
    Printer printer = printer();
    Comparison c =
        (Comparison)
            printer.follow(
                client.compareStream(parallelism.applyTo(workload.workload()), options()),
                workload.taskCount(),
                2);
    if (!printer.json()) {
      printer.summary("Serial phase", c.serial());
      printer.summary("Parallel phase", c.parallel());
      c.serialProfile()
          .ifPresent(
              p -> {
                out().println("Serial phase profile");
                printer.profile(p);
              });
      c.parallelProfile()
          .ifPresent(
              p -> {
                out().println("Parallel phase profile");
                printer.profile(p);
              });
      printer.comparison(c);
    }
    if (baseline != null) {
      if (printer.json()) {
        out().println(Printer.toJson(client.compareRunsMessage(c.runId(), baselineId)));
      } else {
        printer.change(client.compareRuns(c.runId(), baselineId));
      }
    }
    if (diffFlameGraph != null && c.profileDiff().isPresent()) {
      try {
        java.nio.file.Files.write(diffFlameGraph, c.profileDiff().get().flameGraphHtml());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot write " + diffFlameGraph, e);
      }
      if (!printer.json()) {
        out().println("Differential flame graph (serial to parallel): " + diffFlameGraph);
      }
    }
    return 0;
  }

  /**
   * Compares {@code repeat} times. Only CLEAN runs measure the tasks' speedup, so only they are
   * summarised; the others are counted by verdict (a contended run's 6x is not a maximum). With
   * --json, each run's events as they come, then one aggregate object.
   */
  private int repeated(FibPerfClient client) {
    Printer printer = printer();
    List<Comparison> runs = new ArrayList<>();
    for (int i = 1; i <= repeat; i++) {
      Comparison c =
          printer.json()
              ? (Comparison)
                  printer.follow(
                      client.compareStream(parallelism.applyTo(workload.workload()), options()),
                      workload.taskCount(),
                      2)
              : client.compare(parallelism.applyTo(workload.workload()), options());
      runs.add(c);
      if (!printer.json()) {
        out()
            .printf(
                Locale.ROOT,
                "run %2d: serial %s, parallel %s, speedup %.2fx (ideal %.2fx), attained %.0f%%,"
                    + " %s%n",
                i,
                Printer.format(c.serial().wall()),
                Printer.format(c.parallel().wall()),
                c.speedup(),
                c.idealSpeedup(),
                100 * c.attainment(),
                c.verdict());
      }
    }
    RepeatSummary summary = RepeatSummary.of(runs);
    if (printer.json()) {
      out().println(summary.json());
    } else {
      summary.print(out());
    }
    return 0;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }
}
