package dev.fibperf.server.exec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Supplier;

/**
 * Elapsed time, CPU time and core wait of one computation on the calling thread. The CPU time and
 * the core wait are read inside the elapsed window, so neither can exceed it.
 *
 * @param elapsedNanos monotonic time from start to end
 * @param cpuNanos CPU time the thread was given over the same span, or -1 where the JVM cannot
 *     measure a thread's CPU time
 * @param coreWaitNanos how long the thread was runnable but not running over the same span (the
 *     scheduler's run delay, {@link CoreWait}), or -1 where the OS does not report it
 * @param leadInCoreWaitNanos the thread's wait for a core from its previous reading ({@link
 *     CoreWait#lastMark()}) until this computation started: for a pool thread, its wait on being
 *     woken for the task; -1 where it is not measured (in a worker process, on a peer)
 */
public record TaskTiming(
    long elapsedNanos, long cpuNanos, long coreWaitNanos, long leadInCoreWaitNanos) {
  /** A computation measured where no lead-in wait is read (another process, another machine). */
  public TaskTiming(long elapsedNanos, long cpuNanos, long coreWaitNanos) {
    this(elapsedNanos, cpuNanos, coreWaitNanos, -1);
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();

  /** What a computation returned and how long it took. */
  public record Timed<T>(T value, TaskTiming timing) {}

  /** Computes {@code body} on this thread and returns its value and how long it took. */
  public static <T> Timed<T> of(Supplier<T> body) {
    // Elapsed outermost: the other two readings fall inside its window.
    long t0 = System.nanoTime();
    // The thread's previous reading, with this one, gives its wait before the computation for
    // free: two reads per task measure the lead-in and the computation.
    long previous = CoreWait.lastMark();
    long wait0 = CoreWait.nanos();
    long cpu0 = CPU_TIME ? THREADS.getCurrentThreadCpuTime() : -1;
    T value = body.get();
    long cpu = CPU_TIME ? THREADS.getCurrentThreadCpuTime() - cpu0 : -1;
    long wait1 = CoreWait.nanos();
    long elapsed = System.nanoTime() - t0;
    long wait = wait0 < 0 || wait1 < 0 ? -1 : Math.min(elapsed, Math.max(0, wait1 - wait0));
    long leadIn = previous < 0 || wait0 < 0 ? -1 : Math.max(0, wait0 - previous);
    return new Timed<>(value, new TaskTiming(elapsed, Math.min(cpu, elapsed), wait, leadIn));
  }
}
