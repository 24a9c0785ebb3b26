package dev.fibperf.server.run;

/**
 * Receives every event of every run (metrics, watchers). Called on the thread where the event
 * happened, often a compute worker: an implementation must return at once, never block and never
 * wait for a reader; buffer and drop instead. An exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface RunEventListener {
  void onEvent(RunEvent event);
}
