package dev.fibperf.server.exec;

import dev.fibperf.server.compute.Algorithm;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * Watches the worker pool for metrics. Called on the thread doing the work, so implementations must
 * be cheap and thread-safe.
 */
public interface PoolObserver {
  PoolObserver NONE = new PoolObserver() {};

  /**
   * A pool was just created (lazily, by its first run).
   *
   * @param name the pool's name for metrics
   */
  default void poolCreated(String name, ExecutorService executor) {}

  /** A task finished computing. */
  default void taskFinished(Algorithm algorithm, Duration duration) {}

  /** A worker process died (or was killed) and a replacement is starting. */
  default void workerReplaced() {}
}
