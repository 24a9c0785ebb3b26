package dev.fibperf.client.cli;

import java.io.Console;
import java.io.File;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Whether stdout is a person's terminal (redraw a progress bar) or a pipe (print plain lines). */
final class Terminal {
  private Terminal() {}

  /**
   * On JDK 17-21 {@code System.console()} is null unless both ends are a terminal; from JDK 22 on
   * it is never null, and {@code Console.isTerminal()} (22+) says instead. Looked up reflectively
   * so one jar serves both.
   */
  static boolean isInteractive() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // before JDK 22, a console at all means a terminal
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  /**
   * The terminal's width: {@code COLUMNS} when the shell exports it, else what {@code stty size}
   * says about the controlling terminal, else 80. Asked once per command, not per redraw.
   */
  static int columns() {
    try {
      String columns = System.getenv("COLUMNS");
      if (columns != null) {
        return Math.max(20, Integer.parseInt(columns.strip()));
      }
      Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty")).start();
      String out = new String(stty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (stty.waitFor(1, TimeUnit.SECONDS) && stty.exitValue() == 0) {
        String[] rowsColumns = out.strip().split("\\s+");
        return Math.max(20, Integer.parseInt(rowsColumns[1]));
      }
    } catch (Exception e) {
      // no terminal to ask (or an unreadable answer): the common width
    }
    return 80;
  }
}
