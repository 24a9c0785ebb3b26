package dev.fibperf.client.cli;

import java.time.Duration;

/**
 * The one line a run's progress is redrawn on: the phase, a bar, tasks done, elapsed time and, for
 * a profile, the hottest method so far. Always exactly {@code width - 1} characters (the last
 * column would wrap on some terminals): padded, so a shorter redraw leaves no residue of a longer
 * one, and cut, so a narrow terminal gets one line rather than one per tick. The parts that do not
 * fit go in this order: the hot method, then the bar.
 */
final class ProgressLine {
  private static final int BAR_WIDTH = 24;

  private ProgressLine() {}

  /**
   * @param phase "serial" or "parallel", or null before the first task
   * @param done tasks finished, all phases together
   * @param total tasks in all phases, or 0 when the server chooses them
   * @param hottest the hottest method so far with its share, or null
   * @param width the terminal's columns
   */
  static String render(
      String phase, int done, int total, Duration elapsed, String hottest, int width) {
    String counts = total == 0 ? done + " tasks done" : done + "/" + total + " tasks";
    String head = (phase == null ? "" : phase + " ") + counts + "  " + Printer.format(elapsed);
    String bar = "";
    if (total > 0) {
      int filled = Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
      bar = "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] ";
    }
    String hot = hottest == null ? "" : "  hot: " + hottest;
    int room = Math.max(1, width - 1);
    String line = bar + head + hot;
    if (line.length() > room) {
      line = bar + head;
    }
    if (line.length() > room) {
      line = head;
    }
    if (line.length() > room) {
      line = line.substring(0, room);
    }
    return line + " ".repeat(room - line.length());
  }
}
