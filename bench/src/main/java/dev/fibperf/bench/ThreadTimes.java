package dev.fibperf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where a process's CPU time went, by kind of thread, from Linux's per-thread scheduler statistics
 * ({@code /proc/PID/task/TID/schedstat}: nanoseconds on a CPU and nanoseconds runnable but waiting
 * for one). A JVM's threads carry their Java names there, cut to 15 characters, so the server's
 * workers, event loops and watch delivery can be told from the JIT compilers and the GC (the
 * prefixes below are cut to the same 15).
 *
 * <p>The wait column is what a CPU-bound benchmark needs: a worker's wall time is its CPU time plus
 * its wait, so when a condition lengthens the tasks without lengthening their CPU time, the wait
 * says how much, and the other rows say who had the core meanwhile.
 */
record ThreadTimes(Map<Long, ThreadStat> byTid) {
  /** Kinds of thread, by the prefix of their name; anything else counts as "other". */
  private static final List<Map.Entry<String, String>> KINDS =
      List.of(
          Map.entry("fibperf-worker-", "workers"),
          Map.entry("fibperf-transpo", "event loops"),
          Map.entry("fibperf-accept-", "event loops"),
          Map.entry("fibperf-watch-d", "watch delivery"),
          Map.entry("C1 CompilerThre", "JIT compilers"),
          Map.entry("C2 CompilerThre", "JIT compilers"),
          Map.entry("GC Thread", "GC and VM"),
          Map.entry("G1 ", "GC and VM"),
          Map.entry("VM Thread", "GC and VM"));

  /** CPU time and run-queue wait, both in nanoseconds. */
  record Times(long cpuNanos, long waitNanos) {
    static final Times ZERO = new Times(0, 0);

    Times plus(Times o) {
      return new Times(cpuNanos + o.cpuNanos, waitNanos + o.waitNanos);
    }

    Times minus(Times o) {
      return new Times(cpuNanos - o.cpuNanos, waitNanos - o.waitNanos);
    }
  }

  /** One thread's kind and its totals. */
  record ThreadStat(String kind, Times times) {}

  /** The totals so far of every live thread of {@code pid}. */
  static ThreadTimes of(long pid) {
    Map<Long, ThreadStat> byTid = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).strip();
          String[] stat = Files.readString(task.resolve("schedstat")).strip().split(" ");
          Times t = new Times(Long.parseLong(stat[0]), Long.parseLong(stat[1]));
          byTid.put(Long.parseLong(task.getFileName().toString()), new ThreadStat(kind(name), t));
        } catch (IOException exited) {
          // the thread ended while we listed them; its time is gone with it
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/task (Linux only)", e);
    }
    return new ThreadTimes(byTid);
  }

  /**
   * Each kind's times between {@code earlier} and this. A thread born since counts in full; one
   * that ended since is in neither snapshot, so what it did in between is missing (watch delivery's
   * thread ends after a second idle, which is never in the middle of a watched run).
   */
  Map<String, Times> since(ThreadTimes earlier) {
    Map<String, Times> byKind = new TreeMap<>();
    byTid.forEach(
        (tid, now) -> {
          ThreadStat before = earlier.byTid.get(tid);
          Times delta = before == null ? now.times : now.times.minus(before.times);
          byKind.merge(now.kind, delta, Times::plus);
        });
    return byKind;
  }

  private static String kind(String threadName) {
    for (Map.Entry<String, String> k : KINDS) {
      if (threadName.startsWith(k.getKey())) {
        return k.getValue();
      }
    }
    return "other";
  }
}
