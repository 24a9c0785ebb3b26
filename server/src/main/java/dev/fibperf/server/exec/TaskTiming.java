package dev.fibperf.server.exec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Elapsed and CPU time of one computation on the calling thread. The two differ when the thread
 * waited for a core (other load), which is how fibperf tells a contended run from a clean one.
 *
 * @param elapsedNanos monotonic time from start to end
 * @param cpuNanos CPU time the thread was given over the same span, or -1 where the JVM cannot
 *     measure a thread's CPU time
 */
public record TaskTiming(long elapsedNanos, long cpuNanos) {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();

  /** Runs {@code body} on this thread and returns how long it took. */
  public static TaskTiming of(Runnable body) {
    long cpu0 = CPU_TIME ? THREADS.getCurrentThreadCpuTime() : -1;
    long t0 = System.nanoTime();
    body.run();
    long elapsed = System.nanoTime() - t0;
    long cpu = CPU_TIME ? THREADS.getCurrentThreadCpuTime() - cpu0 : -1;
    return new TaskTiming(elapsed, cpu);
  }
}
