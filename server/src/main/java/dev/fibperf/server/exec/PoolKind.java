package dev.fibperf.server.exec;

/** Where tasks run. */
public enum PoolKind {
  /** Threads of this JVM. */
  THREADS,
  /** Worker JVMs, one task at a time each. */
  PROCESSES
}
