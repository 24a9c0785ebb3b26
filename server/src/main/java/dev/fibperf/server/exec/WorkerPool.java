package dev.fibperf.server.exec;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide compute pool: fixed-size, created on first use and reused by every later run.
 *
 * <p>The pool owns its threads: {@link #close()} stops them. Threads are named {@code
 * fibperf-worker-N} so events, logs and profiles can say which one ran a task.
 */
public final class WorkerPool implements TaskPool {
  /** The {@code name} tag of this pool's executor meters. */
  public static final String METRICS_NAME = "fibperf.pool";

  private final int size;
  private final PoolObserver observer;
  private ExecutorService executor; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param size threads in the pool, at least 1
   * @param observer told when the pool is created and when tasks finish
   */
  public WorkerPool(int size, PoolObserver observer) {
    if (size < 1) {
      throw new IllegalArgumentException("size=" + size + " must be at least 1");
    }
    this.size = size;
    this.observer = java.util.Objects.requireNonNull(observer, "observer");
  }

  /** A pool nobody watches. */
  public WorkerPool(int size) {
    this(size, PoolObserver.NONE);
  }

  @Override
  public int size() {
    return size;
  }

  /**
   * Returns the pool, creating it (and starting all its threads) if this is the first use.
   *
   * @throws RejectedExecutionException if the pool has been closed
   */
  @Override
  public synchronized Lease acquire() {
    if (closed) {
      throw new RejectedExecutionException("worker pool is shut down");
    }
    if (executor != null) {
      return new Lease(executor, false, observer, TaskKernel.IN_PROCESS, PoolKind.THREADS);
    }
    ThreadPoolExecutor created =
        new ThreadPoolExecutor(
            size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), namedThreads());
    // Start every thread now so the run that pays the cold start pays all of it.
    created.prestartAllCoreThreads();
    executor = created;
    observer.poolCreated(METRICS_NAME, created);
    return new Lease(executor, true, observer, TaskKernel.IN_PROCESS, PoolKind.THREADS);
  }

  /** Whether a run has created the pool yet. */
  @Override
  public synchronized boolean isStarted() {
    return executor != null;
  }

  /** Interrupts and stops the threads, waiting up to five seconds; later acquires fail. */
  @Override
  public void close() {
    ExecutorService toStop;
    synchronized (this) {
      closed = true;
      toStop = executor;
    }
    if (toStop != null) {
      toStop.shutdownNow();
      try {
        toStop.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ThreadFactory namedThreads() {
    AtomicInteger next = new AtomicInteger(1);
    return runnable -> {
      Thread thread = new Thread(runnable, "fibperf-worker-" + next.getAndIncrement());
      // Daemon: a worker busy with a cancelled task must never keep the process alive.
      thread.setDaemon(true);
      return thread;
    };
  }
}
