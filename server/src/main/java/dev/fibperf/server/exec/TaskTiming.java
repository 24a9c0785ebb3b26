package dev.fibperf.server.exec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Supplier;

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

  /** What a computation returned and how long it took. */
  public record Timed<T>(T value, TaskTiming timing) {}

  /** Computes {@code body} on this thread and returns its value and how long it took. */
  public static <T> Timed<T> of(Supplier<T> body) {
    long cpu0 = CPU_TIME ? THREADS.getCurrentThreadCpuTime() : -1;
    long t0 = System.nanoTime();
    T value = body.get();
    long elapsed = System.nanoTime() - t0;
    long cpu = CPU_TIME ? THREADS.getCurrentThreadCpuTime() - cpu0 : -1;
    return new Timed<>(value, new TaskTiming(elapsed, cpu));
  }
}
