package dev.fibperf.client.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.fibperf.client.ArtifactChunk;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibEvent;
import dev.fibperf.client.HotMethod;
import dev.fibperf.client.Note;
import dev.fibperf.client.NoteKind;
import dev.fibperf.client.PhaseCompleted;
import dev.fibperf.client.Profile;
import dev.fibperf.client.ProfileSnapshot;
import dev.fibperf.client.RoundResult;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.ScalingPoint;
import dev.fibperf.client.Schedule;
import dev.fibperf.client.SpeedupEstimate;
import dev.fibperf.client.TaskFinished;
import dev.fibperf.client.TaskStarted;
import dev.fibperf.client.Verdict;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Renders streams for people (progress, then tables) or machines (one protobuf-JSON object per
 * event).
 */
final class Printer {
  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private final PrintWriter out;
  private final boolean json;
  // Whether the stream being followed is a Compare's (its rounds' tasks are not listed one by one).
  private boolean compare;
  private final boolean interactive;

  Printer(PrintWriter out, boolean json, boolean interactive) {
    this.out = out;
    this.json = json;
    this.interactive = interactive;
  }

  boolean json() {
    return json;
  }

  /**
   * Prints every event of {@code events} as it arrives and returns the final one.
   *
   * @param tasks tasks per phase, for the progress bar
   * @param phases how many runs the stream holds (2 for Compare)
   */
  FibEvent follow(EventStream events, int tasks, int phases) {
    compare = phases == 2;
    long start = System.nanoTime();
    Progress progress = new Progress(tasks * phases, interactive && !json ? Terminal.columns() : 0);
    FibEvent last = null;
    // On a terminal the line's clock keeps moving between events, which can be seconds apart.
    Thread ticker = null;
    if (interactive && !json) {
      ticker =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  synchronized (out) {
                    redraw(progress, start);
                  }
                  try {
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "fibperf-progress");
      ticker.setDaemon(true);
      ticker.start();
    }
    try (events) {
      while (events.hasNext()) {
        last = events.next();
        if (json) {
          out.println(toJson(events.lastMessage()));
          out.flush();
          continue;
        }
        synchronized (out) {
          progress.update(last);
          if (interactive) {
            redraw(progress, start);
          } else {
            plain(last);
          }
        }
      }
    } finally {
      if (ticker != null) {
        ticker.interrupt();
        try {
          ticker.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        out.print("\r" + " ".repeat(Math.max(0, progress.width - 1)) + "\r");
        out.flush();
      }
    }
    return last;
  }

  private void redraw(Progress p, long start) {
    out.print(
        "\r"
            + ProgressLine.render(
                p.phase,
                p.done,
                p.total,
                Duration.ofNanos(System.nanoTime() - start),
                p.hottest,
                p.width));
    out.flush();
  }

  /** What the progress line shows, from the events so far; guarded by the printer's lock. */
  private static final class Progress {
    final int total;
    final int width;
    int done;
    String phase;
    String hottest;

    Progress(int total, int width) {
      this.total = total;
      this.width = width;
    }

    void update(FibEvent e) {
      if (e instanceof TaskStarted s) {
        phase = s.phase().name().toLowerCase(Locale.ROOT);
      } else if (e instanceof TaskFinished f) {
        phase = f.phase().name().toLowerCase(Locale.ROOT);
        done++;
      } else if (e instanceof ProfileSnapshot s && !s.profile().self().isEmpty()) {
        HotMethod top = s.profile().self().get(0);
        hottest = String.format(Locale.ROOT, "%s %.0f%%", shortName(top.method()), top.percent());
      }
    }

    /**
     * {@code dev.fibperf.server.compute.FibKernels.naive(int)} as {@code FibKernels.naive(int)}.
     */
    static String shortName(String method) {
      int paren = method.indexOf('(');
      String name = paren < 0 ? method : method.substring(0, paren);
      int methodDot = name.lastIndexOf('.');
      int classDot = methodDot < 0 ? -1 : name.lastIndexOf('.', methodDot - 1);
      return method.substring(classDot + 1);
    }
  }

  private void plain(FibEvent e) {
    if (compare && (e instanceof TaskStarted || e instanceof TaskFinished)) {
      return; // a Compare's rounds list their tasks in the phase lines; --json has each event
    }
    if (e instanceof RoundResult r) {
      out.printf(
          "round %-3d speedup %.2fx  serial %s  parallel %s  %s%s%n",
          r.round(),
          r.speedup(),
          format(r.serial().wall()),
          format(r.parallel().wall()),
          r.verdict(),
          r.used() ? "" : ", left out: " + r.exclusion().map(Printer::cause).orElse("not clean"));
      out.flush();
      return;
    }
    if (e instanceof TaskStarted s) {
      out.printf(
          "%-8s started  task %d n=%d on %s%n",
          s.phase().name().toLowerCase(Locale.ROOT), s.index(), s.n(), s.worker());
    } else if (e instanceof TaskFinished f) {
      out.printf(
          "%-8s finished task %d n=%d in %s on %s%n",
          f.phase().name().toLowerCase(Locale.ROOT),
          f.index(),
          f.n(),
          format(f.duration()),
          f.worker());
    } else if (e instanceof PhaseCompleted p) {
      out.printf(
          "%-8s phase done in %s%s%n",
          p.phase().name().toLowerCase(Locale.ROOT),
          format(p.summary().wall()),
          compare
              ? String.format(
                  Locale.ROOT,
                  " (round %d, %d tasks, core wait %.0f%% of the wall)",
                  p.round(),
                  p.summary().results().size(),
                  100 * p.summary().coreWaitShare())
              : "");
    } else if (e instanceof ProfileSnapshot s) {
      HotMethod top = s.profile().self().isEmpty() ? null : s.profile().self().get(0);
      out.printf(
          "profile  %d/%d tasks, %d samples%s%n",
          s.tasksDone(),
          s.tasksTotal(),
          s.profile().totalSamples(),
          top == null
              ? " so far (the live view lags the run by a second or two)"
              : String.format(", hottest %s (%.1f%%)", top.method(), top.percent()));
    } else if (e instanceof ArtifactChunk c && c.last()) {
      out.printf("artifact %s received%n", c.format());
    }
    out.flush();
  }

  void summary(String title, RunSummary s) {
    out.println(title);
    out.printf("  %5s %6s  %-24s %12s  %s%n", "task", "n", "value", "time", "worker");
    for (TaskFinished r : s.results()) {
      String value = r.value();
      if (value.length() > 24) {
        boolean digits = value.chars().allMatch(Character::isDigit);
        value =
            value.substring(0, 10)
                + "..("
                + value.length()
                + (digits ? " digits)" : " characters)");
      }
      out.printf(
          "  %5d %6d  %-24s %12s  %s%s%n",
          r.index(),
          r.n(),
          value,
          format(r.duration()),
          r.worker(),
          r.attempts() == 1
              ? ""
              : "  (attempt " + r.attempts() + "; earlier: " + r.failedAttempts() + ")");
    }
    if (s.tasksRerun() > 0) {
      out.printf(
          "  %d task%s ran again after a worker was lost%n",
          s.tasksRerun(), s.tasksRerun() == 1 ? "" : "s");
    }
    out.printf(
        "  wall %s (first task picked up to last finished), task time %s, %s%n",
        format(s.wall()), format(s.taskTime()), cpu(s));
    out.printf(
        "  %d worker%s used, parallelism %d, %s %s pool, hand-off %s per task%s, %s%n",
        s.workersUsed(),
        s.workersUsed() == 1 ? "" : "s",
        s.parallelism(),
        s.poolCold() ? "cold" : "warm",
        s.pool().name().toLowerCase(Locale.ROOT),
        format(s.handoffPerTask()),
        queued(s),
        kernel(s));
    if (s.poolCold() || !s.queueWait().isZero()) {
      out.printf(
          "  before the wall: pool start-up %s, queue wait %s%n",
          format(s.poolStartup()), format(s.queueWait()));
    }
    s.kernelCache()
        .ifPresent(
            c ->
                out.printf(
                    Locale.ROOT,
                    "  kernel cache: %.0f%% of %d lookups answered, %d of %d values held%n",
                    100 * c.hitRate(),
                    c.hits() + c.misses(),
                    c.entries(),
                    c.capacity()));
  }

  /**
   * The algorithm's name for the built-in three (as before kernels had names), else the kernel's.
   */
  private static String kernel(RunSummary s) {
    return switch (s.kernel()) {
      case "", "fib-naive", "fib-iterative", "fib-fast-doubling" -> s.algorithm().toString();
      default -> s.kernel();
    };
  }

  /** The run's CPU time and share, and whether that makes it contended. */
  private static String cpu(RunSummary s) {
    if (s.cpuTime().isEmpty()) {
      return "CPU time not measured";
    }
    return String.format(
        Locale.ROOT,
        "CPU %s (%.0f%% of task time%s)",
        format(s.cpuTime().get()),
        100 * s.cpuShare(),
        s.contended() ? ": contended, other load shared the cores" : "");
  }

  /** Waits inside the wall, if they matter. */
  private static String queued(RunSummary s) {
    return s.taskQueueWait().isZero()
        ? ""
        : ", tasks waited " + format(s.taskQueueWait()) + " for workers";
  }

  void profile(Profile p) {
    out.printf(
        "Hot methods: %d samples by %s in %s of task time, asked every %s%s, %.0f/s%n",
        p.totalSamples(),
        p.engine(),
        format(p.duration()),
        format(p.samplingPeriod()),
        p.effectiveSamplingPeriod().compareTo(p.samplingPeriod()) < 0
            ? " (the JVM sampled every "
                + format(p.effectiveSamplingPeriod())
                + " for another profile; thinned back)"
            : "",
        p.samplesPerSecond());
    if (!p.engineNote().isEmpty()) {
      out.println("  (" + p.engineNote() + ")");
    }
    table("  self (top of stack, as `jfr view hot-methods`)", p.self());
    table("  total (anywhere on the stack, like cProfile's cumtime)", p.total());
    out.printf(
        "  JVM-wide in the window (every call's, not only this one's): %d GC%s (%s paused), %d"
            + " JIT compilation%s, %d of them of methods in this profile%n",
        p.jvmGcCount(),
        p.jvmGcCount() == 1 ? "" : "s",
        format(p.jvmGcPause()),
        p.jvmJitCompilations(),
        p.jvmJitCompilations() == 1 ? "" : "s",
        p.profiledMethodCompilations());
  }

  private void table(String title, List<HotMethod> methods) {
    out.println(title);
    out.printf("    %8s %7s  %s%n", "samples", "%", "method");
    for (HotMethod m : methods) {
      out.printf("    %8d %6.1f%%  %s%n", m.samples(), m.percent(), m.method());
    }
  }

  void comparison(Comparison c) {
    out.printf(
        "Compare (%s; warm-up %s)%n",
        c.exclusive()
            ? "exclusive: waited " + format(c.isolationWait()) + " for other runs to finish"
            : "shared with other calls",
        format(c.warmup()));
    c.estimate().ifPresent(e -> out.println("  estimate  " + estimate(e, c.verdict())));
    c.estimate()
        .flatMap(SpeedupEstimate::acrossCompares)
        .ifPresent(a -> out.println("  across    " + across(a)));
    if (c.rounds().size() > 1) {
      // The server picks the median of the rounds the estimate used, or of all when it used none.
      boolean anyUsed = c.rounds().stream().anyMatch(RoundResult::used);
      out.printf(
          "  round %d of %d, the median %s:%n",
          c.representativeRound(),
          c.rounds().size(),
          anyUsed ? "clean round" : "round (none was clean)");
    }
    out.printf("  serial    wall %s%n", format(c.serial().wall()));
    out.printf(
        "  parallel  wall %s on %d workers, %s schedule%n",
        format(c.parallel().wall()),
        c.workers(),
        c.schedule() == Schedule.MEASURED_OPTIMAL ? "measured-optimal" : "largest-first");
    out.printf(
        "  speedup   %.2fx, efficiency %.0f%%, verdict %s%n",
        c.speedup(),
        100 * c.efficiency(),
        c.rounds().isEmpty() ? c.verdict() : c.rounds().get(c.representativeRound() - 1).verdict());
    out.printf(
        "  bounds    from the serial tasks' CPU times: lower %s, %s %s (ideal speedup %.2fx),"
            + " largest-first %s%n",
        format(c.lowerBound()),
        c.optimalProven() ? "optimal" : "best found",
        format(c.optimalMakespan()),
        c.idealSpeedup(),
        format(c.largestFirstMakespan()));
    out.printf(
        "  attained  %.0f%% of the %s%n",
        100 * c.attainment(), c.optimalProven() ? "optimal schedule" : "best schedule found");
    if (!c.scaling().isEmpty()) {
      out.println(
          "  scaling   workers  speedup  95 % CI        efficiency  serial fraction (Karp-Flatt)");
      for (ScalingPoint p : c.scaling()) {
        out.printf(
            Locale.ROOT,
            "            %7d  %6.2fx  %-13s  %9.0f%%  %s%n",
            p.workers(),
            p.speedup(),
            p.speedupLow().isPresent()
                ? String.format(
                    Locale.ROOT,
                    "%.2f–%.2f",
                    p.speedupLow().getAsDouble(),
                    p.speedupHigh().getAsDouble())
                : "no interval",
            100 * p.efficiency(),
            p.workers() == 1 ? "" : String.format(Locale.ROOT, "%.3f", p.serialFraction()));
      }
    }
    for (Note note : c.notes()) {
      out.println("  note      " + note.text());
    }
    out.println("  reading   " + c.reading().text());
  }

  /** Why a round was left out, in a few words with its figure. */
  static String cause(Note why) {
    if (why.kind() == NoteKind.CONTENDED_CORES) {
      return String.format(
          Locale.ROOT,
          "its %s phase waited for cores %.0f%% of its wall",
          why.label("phase"),
          100 * why.ratio("core_wait_share"));
    }
    return why.text();
  }

  /** "1.84x, 95 % CI 1.79–1.88, 12 rounds, 2 excluded: core wait 2 (target met), CLEAN". */
  static String estimate(SpeedupEstimate e, Verdict verdict) {
    StringBuilder line = new StringBuilder();
    if (e.roundsUsed() == 0) {
      line.append("no clean round");
    } else {
      line.append(String.format(Locale.ROOT, "%.2fx", e.speedup()));
    }
    if (e.speedupLow().isPresent()) {
      line.append(
          String.format(
              Locale.ROOT,
              ", 95 %% CI %.2f–%.2f (±%.1f %%)",
              e.speedupLow().getAsDouble(),
              e.speedupHigh().getAsDouble(),
              100 * e.relativeHalfWidth()));
    } else if (e.roundsUsed() > 0) {
      line.append(", no interval");
    }
    line.append(String.format(Locale.ROOT, ", %d rounds", e.rounds()));
    if (e.roundsExcluded() > 0) {
      line.append(
          String.format(Locale.ROOT, ", %d excluded: %s", e.roundsExcluded(), e.exclusions()));
    }
    line.append(" (")
        .append(e.stopReason().toLowerCase(Locale.ROOT).replace('_', ' '))
        .append("), ")
        .append(verdict);
    e.coreWaitRemoved()
        .filter(free -> free.low().isPresent())
        .ifPresent(
            free ->
                line.append(
                    String.format(
                        Locale.ROOT,
                        "; core wait removed: %.2fx, 95 %% CI %.2f–%.2f (%d rounds)",
                        free.speedup(),
                        free.low().getAsDouble(),
                        free.high().getAsDouble(),
                        free.roundsUsed())));
    return line.toString();
  }

  /**
   * "the next Compare here: 1.66–1.96x (95 %), from the last 10 (typical 1.81x, spread ±4.0 %)".
   */
  static String across(SpeedupEstimate.AcrossCompares a) {
    return String.format(
        Locale.ROOT,
        "the next Compare here: %.2f–%.2fx (95 %%), from the last %d (typical %.2fx, spread ±%.1f %%)",
        a.low(),
        a.high(),
        a.compares(),
        a.typical(),
        100 * a.spread());
  }

  static String toJson(Message message) {
    try {
      return JSON.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static String format(Duration d) {
    double ms = d.toNanos() / 1e6;
    if (ms < 1) {
      return String.format("%.1f us", ms * 1000);
    }
    if (ms < 1000) {
      return String.format("%.1f ms", ms);
    }
    return String.format("%.2f s", ms / 1000);
  }

  /**
   * A run against its baseline, one line per figure: "serial cost 0.91x (0.88–0.94, 95 %) FASTER".
   */
  void change(dev.fibperf.client.RunChange change) {
    if (change.label().isEmpty()) {
      out.printf(Locale.ROOT, "Against run %d (%s)%n", change.baselineRunId(), change.workload());
    } else {
      out.printf(
          Locale.ROOT,
          "Runs labelled %s (%d) against %s (%d), %s%n",
          change.label(),
          change.runs(),
          change.baselineLabel(),
          change.baselineRuns(),
          change.workload());
    }
    change.speedup().ifPresent(c -> changeLine("speedup", c));
    change.serialCost().ifPresent(c -> changeLine("serial cost", c));
    change.parallelWall().ifPresent(c -> changeLine("parallel wall", c));
    change.callWall().ifPresent(c -> changeLine("wall per call", c));
  }

  private void changeLine(String figure, dev.fibperf.client.RunChange.Change c) {
    String interval =
        c.hasInterval()
            ? String.format(
                Locale.ROOT, " (%.3f–%.3f, %.0f %%)", c.low(), c.high(), c.confidence() * 100)
            : "";
    out.printf(
        Locale.ROOT,
        "  %-14s %.3fx%s, %d vs %d samples: %s%n",
        figure,
        c.ratio(),
        interval,
        c.samples(),
        c.baselineSamples(),
        c.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '));
  }
}
