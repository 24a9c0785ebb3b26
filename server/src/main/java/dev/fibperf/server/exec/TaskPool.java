package dev.fibperf.server.exec;

/** A reusable, lazily started pool that runs tasks; closing it stops its workers. */
public interface TaskPool extends AutoCloseable {
  /**
   * What a run needs to use the pool: its executor, whether this call started it, who watches it,
   * how tasks are computed and which kind of pool it is.
   */
  record Lease(
      java.util.concurrent.Executor executor,
      boolean cold,
      PoolObserver observer,
      TaskKernel kernel,
      PoolKind kind) {}

  /**
   * Returns the pool, starting it if this is the first use; blocks while it starts.
   *
   * @throws java.util.concurrent.RejectedExecutionException if the pool is closed
   */
  Lease acquire();

  /**
   * Like {@link #acquire()}, without blocking the caller while the pool starts: gRPC's threads and
   * the compute workers that chain runs must not wait out a slow start (worker JVMs take about half
   * a second). Fails with {@link java.util.concurrent.RejectedExecutionException} if the pool is
   * closed.
   */
  default java.util.concurrent.CompletableFuture<Lease> acquireAsync() {
    try {
      return java.util.concurrent.CompletableFuture.completedFuture(acquire());
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }

  /** Workers in the pool. */
  int size();

  /** Whether a run has started the pool yet. */
  boolean isStarted();

  @Override
  void close();
}
