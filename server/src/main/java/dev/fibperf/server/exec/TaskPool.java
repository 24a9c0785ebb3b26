package dev.fibperf.server.exec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** A reusable, lazily started pool that runs tasks; closing it stops its workers. */
public interface TaskPool extends AutoCloseable {
  /**
   * What a run needs to use the pool: its executor, whether this call started it, who watches it,
   * how tasks are computed, which kind of pool it is and how many tasks it runs at once.
   */
  record Lease(
      Executor executor,
      boolean cold,
      PoolObserver observer,
      TaskKernel kernel,
      PoolKind kind,
      int workers) {}

  /**
   * Returns the pool, starting it if this is the first use; blocks while it starts.
   *
   * @throws RejectedExecutionException if the pool is closed
   */
  Lease acquire();

  /**
   * Like {@link #acquire()}, without blocking the caller while the pool starts: gRPC's threads and
   * the compute workers that chain runs must not wait out a slow start (worker JVMs take about half
   * a second). Fails with {@link RejectedExecutionException} if the pool is closed.
   */
  default CompletableFuture<Lease> acquireAsync() {
    try {
      return CompletableFuture.completedFuture(acquire());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Whether a run has started the pool yet. */
  boolean isStarted();

  @Override
  void close();
}
