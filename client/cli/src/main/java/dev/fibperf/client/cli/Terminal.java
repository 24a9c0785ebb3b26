package dev.fibperf.client.cli;

import java.io.Console;
import java.lang.reflect.Method;

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
}
