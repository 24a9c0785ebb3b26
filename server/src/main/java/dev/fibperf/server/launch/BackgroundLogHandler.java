package dev.fibperf.server.launch;

import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.StreamHandler;

/**
 * The console log, written by a thread of its own: a call's access line costs the thread that ends
 * the call a queue insert, not the line's formatting and a write to the log's file (about 4 % of a
 * small call's latency; BENCHMARKS, "The per-call path"). Lines keep their order. When the queue is
 * full, loggers wait: lines are never dropped. {@link #close()} (also on JVM shutdown) writes what
 * is queued.
 *
 * <p>The writer works in batches: after writing what it found, it rests for {@link #BATCH_WINDOW}
 * before looking again, so a busy server's lines are written and flushed together, at most a window
 * late. Waking it for every line cost each call a thread wake-up and the log a write and flush per
 * line: a tenth of a small call's server CPU under load (BENCHMARKS, "The per-call path").
 */
final class BackgroundLogHandler extends Handler {
  private static final int CAPACITY = 8192;
  static final Duration BATCH_WINDOW = Duration.ofMillis(20);
  private static final LogRecord STOP = new LogRecord(java.util.logging.Level.OFF, "stop");

  private final BlockingQueue<LogRecord> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final StreamHandler out;
  private final Thread writer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ReadWriteLock opening = new ReentrantReadWriteLock();

  BackgroundLogHandler(OutputStream stream, Formatter formatter) {
    this.out = new StreamHandler(stream, formatter);
    out.setLevel(java.util.logging.Level.ALL);
    this.writer = new Thread(this::write, "fibperf-log");
    writer.setDaemon(true);
    writer.start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "fibperf-log-flush"));
  }

  @Override
  public synchronized void setFormatter(Formatter formatter) {
    super.setFormatter(formatter);
    out.setFormatter(formatter);
  }

  @Override
  public void publish(LogRecord record) {
    if (!isLoggable(record)) {
      return;
    }
    // The caller, where the record has none, is found from this thread's stack: now or never.
    record.getSourceClassName();
    // Read-locked from the check to the insert: close() cannot slip its stop marker in between,
    // so every queued line is ahead of it.
    opening.readLock().lock();
    try {
      if (!closed.get()) {
        try {
          queue.put(record);
          return;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // the caller is being stopped: write it here
        }
      }
    } finally {
      opening.readLock().unlock();
    }
    out.publish(record); // the writer has stopped (JVM exit), or the caller was interrupted
    out.flush();
  }

  private void write() {
    List<LogRecord> batch = new ArrayList<>(CAPACITY);
    try {
      while (true) {
        batch.add(queue.take()); // an idle writer sleeps here; the next line wakes it
        queue.drainTo(batch);
        for (LogRecord record : batch) {
          if (record == STOP) {
            return;
          }
          out.publish(record);
        }
        batch.clear();
        out.flush();
        // Lines logged while the writer rests find no one waiting: they queue without a wake-up.
        Thread.sleep(BATCH_WINDOW.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      reportError("log writer failed", e, ErrorManager.WRITE_FAILURE);
    } finally {
      out.flush();
    }
  }

  @Override
  public void flush() {
    out.flush();
  }

  /** Writes what is queued, then stops the writer; idempotent. */
  @Override
  public void close() {
    boolean closing;
    opening.writeLock().lock(); // waits for loggers between their check and their insert
    try {
      closing = closed.compareAndSet(false, true);
    } finally {
      opening.writeLock().unlock();
    }
    if (closing && writer.isAlive()) {
      try {
        // Behind every line queued so far, however full the queue: put waits for room.
        queue.put(STOP);
        writer.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // Lines the writer did not reach (it gave up waiting, or was interrupted).
      List<LogRecord> late = new ArrayList<>();
      queue.drainTo(late);
      late.stream().filter(record -> record != STOP).forEach(out::publish);
    }
    out.flush();
  }
}
