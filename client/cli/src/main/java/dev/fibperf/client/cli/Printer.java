package dev.fibperf.client.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.fibperf.client.ArtifactChunk;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibEvent;
import dev.fibperf.client.HotMethod;
import dev.fibperf.client.PhaseCompleted;
import dev.fibperf.client.Profile;
import dev.fibperf.client.ProfileSnapshot;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.TaskFinished;
import dev.fibperf.client.TaskStarted;
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
  private static final int BAR_WIDTH = 24;

  private final PrintWriter out;
  private final boolean json;
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
    long start = System.nanoTime();
    int total = tasks * phases;
    int[] done = {0};
    FibEvent last = null;
    // On a terminal the bar's clock keeps moving between events, which can be seconds apart.
    Thread ticker = null;
    if (interactive && !json) {
      ticker =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  synchronized (out) {
                    bar(done[0], total, Duration.ofNanos(System.nanoTime() - start));
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
          if (last instanceof TaskFinished) {
            done[0]++;
          }
          if (interactive) {
            bar(done[0], total, Duration.ofNanos(System.nanoTime() - start));
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
        out.print("\r" + " ".repeat(BAR_WIDTH + 40) + "\r");
        out.flush();
      }
    }
    return last;
  }

  private void bar(int done, int total, Duration elapsed) {
    if (total == 0) { // the server chose the tasks: their number is known only at the end
      out.printf("\r%d tasks done  %s", done, format(elapsed));
      out.flush();
      return;
    }
    int filled = done * BAR_WIDTH / total;
    out.printf(
        "\r[%s%s] %d/%d tasks  %s",
        "#".repeat(filled), "-".repeat(BAR_WIDTH - filled), done, total, format(elapsed));
    out.flush();
  }

  private void plain(FibEvent e) {
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
          "%-8s phase done in %s%n",
          p.phase().name().toLowerCase(Locale.ROOT), format(p.summary().wall()));
    } else if (e instanceof ProfileSnapshot s) {
      HotMethod top = s.profile().self().isEmpty() ? null : s.profile().self().get(0);
      out.printf(
          "profile  %d/%d tasks, %d samples%s%n",
          s.tasksDone(),
          s.tasksTotal(),
          s.profile().totalSamples(),
          top == null ? "" : String.format(", hottest %s (%.1f%%)", top.method(), top.percent()));
    } else if (e instanceof ArtifactChunk c && c.last()) {
      out.printf("artifact %s received%n", c.format());
    }
    out.flush();
  }

  void summary(String title, RunSummary s) {
    out.println(title);
    out.printf("  %5s %6s  %-24s %12s  %s%n", "task", "n", "value", "time", "worker");
    for (TaskFinished r : s.results()) {
      String value = r.value().toString();
      if (value.length() > 24) {
        value = value.substring(0, 10) + "..(" + value.length() + " digits)";
      }
      out.printf(
          "  %5d %6d  %-24s %12s  %s%n", r.index(), r.n(), value, format(r.duration()), r.worker());
    }
    out.printf(
        "  wall %s, task time %s, %d worker%s used, parallelism %d, %s %s pool (hand-off %s per"
            + " task), %s%n",
        format(s.wall()),
        format(s.taskTime()),
        s.workersUsed(),
        s.workersUsed() == 1 ? "" : "s",
        s.parallelism(),
        s.poolCold() ? "cold (created by this run)" : "warm",
        s.pool().name().toLowerCase(Locale.ROOT),
        format(s.dispatchCostPerTask()),
        s.algorithm());
  }

  void profile(Profile p) {
    out.printf(
        "Hot methods: %d samples in %s, asked every %s, delivered %.0f/s%n",
        p.totalSamples(), format(p.duration()), format(p.samplingPeriod()), p.samplesPerSecond());
    table("  self (top of stack, as `jfr view hot-methods`)", p.self());
    table("  total (anywhere on the stack, like cProfile's cumtime)", p.total());
    out.printf(
        "  JVM in the window: %d GC%s (%s paused), %d JIT compilation%s%s%n",
        p.gcCount(),
        p.gcCount() == 1 ? "" : "s",
        format(p.gcPause()),
        p.jitCompilations(),
        p.jitCompilations() == 1 ? "" : "s",
        p.jitCompilations() > 0 ? " (code still warming up)" : "");
  }

  private void table(String title, List<HotMethod> methods) {
    out.println(title);
    out.printf("    %8s %7s  %s%n", "samples", "%", "method");
    for (HotMethod m : methods) {
      out.printf("    %8d %6.1f%%  %s%n", m.samples(), m.percent(), m.method());
    }
  }

  void comparison(Comparison c) {
    int workers = c.parallel().parallelism();
    out.println("Compare");
    out.printf("  serial    wall %s%n", format(c.serial().wall()));
    out.printf("  parallel  wall %s on %d workers%n", format(c.parallel().wall()), workers);
    out.printf("  speedup   %.2fx, efficiency %.0f%%%n", c.speedup(), 100 * c.efficiency());
    out.printf(
        "  bounds    work %s (%.2fx), schedule %s (%.2fx): reached %.0f%% of the schedule bound%n",
        format(c.workBound()),
        c.workBoundSpeedup(),
        format(c.scheduleBound()),
        c.scheduleBoundSpeedup(),
        100 * c.scheduleAttainment());
    for (String note : c.notes()) {
      out.println("  note      " + note);
    }
    out.println("  reading   " + reading(c, workers));
  }

  /** One sentence on what the numbers mean. */
  static String reading(Comparison c, int workers) {
    double attainment = c.scheduleAttainment();
    String attained;
    if (attainment >= 0.99) {
      attained = "The parallel run is as fast as its schedule allows";
    } else if (attainment >= 0.9) {
      attained =
          String.format(
              "The parallel run is within %.0f%% of the best its schedule allows",
              100 * (1 - attainment));
    } else {
      attained =
          String.format(
              "The parallel run reached only %.0f%% of its schedule bound (shared CPUs or"
                  + " tasks too small for the dispatch cost)",
              100 * attainment);
    }
    // The same test as the server's "uneven tasks" note, so the two never disagree.
    String limit =
        c.scheduleBound().toNanos() > c.workBound().toNanos() * 1.01
            ? String.format(
                "; even a perfect run is capped at %.2fx on %d workers by the uneven task sizes",
                c.scheduleBoundSpeedup(), workers)
            : String.format("; the work spreads evenly over the %d workers", workers);
    return attained + limit + ".";
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
}
