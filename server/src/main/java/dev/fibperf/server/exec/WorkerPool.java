package dev.fibperf.server.exec;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
  private final TaskKernel kernel;

  @GuardedBy("this")
  private ExecutorService executor;

  @GuardedBy("this")
  private boolean closed;

  /**
   * @param size threads in the pool, at least 1
   * @param observer told when the pool is created and when tasks finish
   * @param kernel computes each task on its thread: {@link TaskKernel#IN_PROCESS}, or a test's fake
   */
  public WorkerPool(int size, PoolObserver observer, TaskKernel kernel) {
    if (size < 1) {
      throw new IllegalArgumentException("size=" + size + " must be at least 1");
    }
    this.size = size;
    this.observer = Objects.requireNonNull(observer, "observer");
    this.kernel = Objects.requireNonNull(kernel, "kernel");
  }

  /** A pool nobody watches, computing in this JVM. */
  public WorkerPool(int size) {
    this(size, PoolObserver.NONE, TaskKernel.IN_PROCESS);
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
      return new Lease(executor, false, observer, kernel, PoolKind.THREADS, size);
    }
    ThreadPoolExecutor created =
        new ThreadPoolExecutor(
            size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), namedThreads());
    // Start every thread now so the run that pays the cold start pays all of it.
    created.prestartAllCoreThreads();
    executor = created;
    observer.poolCreated(METRICS_NAME, created);
    return new Lease(executor, true, observer, kernel, PoolKind.THREADS, size);
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
      MoreExecutors.shutdownAndAwaitTermination(toStop, Duration.ofSeconds(5));
    }
  }

  private static ThreadFactory namedThreads() {
    // Daemon: a worker busy with a cancelled task must never keep the process alive.
    return new ThreadFactoryBuilder().setNameFormat("fibperf-worker-%d").setDaemon(true).build();
  }
}
