package dev.fibperf.client.cli;

import dev.fibperf.client.RunInfo;
import dev.fibperf.client.RunWatchEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code fibperf watch} redraws on a terminal: the runs in flight with a progress bar, and the
 * most recent finished ones with their result, kept up to date from the watch's events.
 */
final class RunBoard {
  static final int RECENT = 10;
  private static final int BAR = 20;

  private final Map<Long, RunInfo> inFlight = new LinkedHashMap<>();
  private final Map<Long, Integer> done = new LinkedHashMap<>();
  private final Deque<RunInfo> recent = new ArrayDeque<>();
  private long dropped;

  void apply(RunWatchEvent e) {
    switch (e.kind()) {
      case IN_FLIGHT:
      case ACCEPTED:
        RunInfo r = e.run().orElseThrow();
        inFlight.put(r.runId(), r);
        done.put(r.runId(), r.tasksDone());
        break;
      case TASK_FINISHED:
        done.computeIfPresent(e.runId(), (id, n) -> n + 1);
        break;
      case FINISHED:
        inFlight.remove(e.runId());
        done.remove(e.runId());
        recent.addFirst(e.run().orElseThrow());
        while (recent.size() > RECENT) {
          recent.removeLast();
        }
        break;
      case EVENTS_DROPPED:
        dropped += e.droppedEvents();
        break;
      case TASK_STARTED:
      case PROFILE_SNAPSHOT:
      case PHASE_COMPLETED:
        break;
    }
  }

  /** The board as lines, without any terminal control. */
  List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add("in flight (" + inFlight.size() + ")");
    for (RunInfo r : inFlight.values()) {
      int n = done.getOrDefault(r.runId(), 0);
      int filled = r.tasksTotal() == 0 ? 0 : BAR * n / r.tasksTotal();
      out.add(
          String.format(
              Locale.ROOT,
              "  %6d  %-14s [%s%s] %d/%d  nums=%s",
              r.runId(),
              r.method(),
              "#".repeat(filled),
              " ".repeat(BAR - filled),
              n,
              r.tasksTotal(),
              r.nums()));
    }
    out.add("recent (" + recent.size() + ")");
    for (RunInfo r : recent) {
      out.add(
          String.format(
              Locale.ROOT,
              "  %6d  %-14s %s  nums=%s",
              r.runId(),
              r.method(),
              WatchCommand.result(r),
              r.nums()));
    }
    if (dropped > 0) {
      out.add("(this watch fell behind and lost " + dropped + " events)");
    }
    return out;
  }
}
