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

  /** The pool was just created (lazily, by the first run). */
  default void poolCreated(ExecutorService executor) {}

  /** A task finished computing. */
  default void taskFinished(Algorithm algorithm, Duration duration) {}
}
