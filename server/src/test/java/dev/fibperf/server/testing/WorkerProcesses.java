package dev.fibperf.server.testing;

import dev.fibperf.server.worker.WorkerMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The worker processes this JVM has started, as the operating system lists them: what a test checks
 * a process pool against without the pool reporting on itself.
 */
public final class WorkerProcesses {
  private WorkerProcesses() {}

  /** Process ids of this JVM's live worker processes, in ascending order. */
  public static List<Long> pids() {
    return ProcessHandle.current()
        .children()
        .filter(ProcessHandle::isAlive)
        .filter(WorkerProcesses::isWorker)
        .map(ProcessHandle::pid)
        .sorted()
        .toList();
  }

  // From /proc: ProcessHandle.Info leaves the arguments out when the command line is long (a
  // test's class path).
  private static boolean isWorker(ProcessHandle p) {
    try {
      String cmdline = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "cmdline"));
      return List.of(cmdline.split("\0")).contains(WorkerMain.class.getName());
    } catch (IOException gone) {
      return false; // it ended since the listing
    }
  }
}
