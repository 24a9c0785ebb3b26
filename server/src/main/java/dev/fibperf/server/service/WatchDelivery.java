package dev.fibperf.server.service;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes WatchRuns messages in batches, every {@link #PERIOD} at most, rather than from the threads
 * that run the tasks. A write from a worker thread wakes the transport's event-loop threads, once
 * per message per watcher, and Linux tends to wake them on the waker's core: the watched task's.
 * Here a worker only appends to a watcher's list; the first append of a period schedules one flush
 * on a thread of its own, which hands each event loop one task that writes the batches of every
 * watch it serves: gRPC then flushes each connection once per batch, not once per message, and each
 * loop is woken once (BENCHMARKS.md, "What watchers cost the runs they watch").
 *
 * <p>The thread exists only while there is something to deliver: it ends after a second idle.
 */
final class WatchDelivery {
  /**
   * How stale a watcher's view may get; below what a person watching a dashboard notices. Each
   * period costs every watcher's connection a write and its event loop a wake-up. At 100 ms ten
   * watchers lengthen a run on a one-core server by +1 to +2 %, less than the spread of the same
   * run twice; 20 ms cost measurably more (BENCHMARKS, "What watchers cost the runs they watch").
   */
  static final Duration PERIOD = Duration.ofMillis(100);

  private final ScheduledThreadPoolExecutor flusher;
  private final Set<RunWatch> due = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  WatchDelivery() {
    flusher =
        new ScheduledThreadPoolExecutor(
            1,
            new ThreadFactoryBuilder()
                .setNameFormat("fibperf-watch-delivery")
                .setDaemon(true)
                .build());
    flusher.setKeepAliveTime(1, TimeUnit.SECONDS);
    flusher.allowCoreThreadTimeOut(true);
  }

  /** {@code watch} has messages to write: they go out within {@link #PERIOD}. */
  void due(RunWatch watch) {
    due.add(watch);
    if (scheduled.compareAndSet(false, true)) {
      flusher.schedule(this::flush, PERIOD.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void flush() {
    // Cleared first: a watch that becomes due while this runs schedules the next flush.
    scheduled.set(false);
    Map<Executor, List<RunWatch>> byLoop = new HashMap<>();
    for (Iterator<RunWatch> it = due.iterator(); it.hasNext(); ) {
      RunWatch watch = it.next();
      it.remove();
      if (watch.home() == null) {
        watch.flush(); // no transport thread (an in-process server): write from here
      } else {
        byLoop.computeIfAbsent(watch.home(), loop -> new ArrayList<>()).add(watch);
      }
    }
    byLoop.forEach(
        (loop, watches) -> {
          try {
            loop.execute(() -> watches.forEach(RunWatch::flush));
          } catch (RejectedExecutionException stopping) {
            // The server is stopping and its event loops with it: these calls are ending anyway.
          }
        });
  }
}
