package dev.fibperf.server.exec;

/** Where tasks run. */
public enum PoolKind {
  /** Threads of this JVM. */
  THREADS,
  /** Worker JVMs, one task at a time each. */
  PROCESSES,
  /** The worker threads of the server's peer replicas, one gRPC call per task. */
  CLUSTER
}
