package dev.fibperf.bench;

import dev.fibperf.server.exec.CoreWait;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * What one reading of a thread's core wait costs ({@link CoreWait#nanos()}: a {@code pread} of
 * {@code /proc/thread-self/schedstat} on a file the thread keeps open) beside one reading of its
 * CPU time (what every task already paid), side by side in rounds. A task reads each twice; a pool
 * thread reads its core wait twice more, on taking a task up and putting it down.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.CoreWaitCost [rounds] [readings]
 * </pre>
 */
public final class CoreWaitCost {
  private CoreWaitCost() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int readings = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int r = 1; r <= rounds; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < readings; i++) {
        sink += CoreWait.nanos();
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < readings; i++) {
        sink += threads.getCurrentThreadCpuTime();
      }
      long t2 = System.nanoTime();
      System.out.printf(
          Locale.ROOT,
          "round %2d  core wait %6.0f ns per reading   CPU time %6.0f ns per reading%n",
          r,
          (double) (t1 - t0) / readings,
          (double) (t2 - t1) / readings);
    }
    System.out.println(
        sink == 42 ? "" : "(schedstat " + (CoreWait.available() ? "available" : "absent") + ")");
  }
}
