package dev.fibperf.client;

/** Where the server runs the tasks. */
public enum PoolKind {
  /** Threads of the server's JVM: the cheapest hand-off (the default). */
  THREADS,
  /**
   * Worker JVMs: a crashing or runaway task takes down a worker, not the server, and cancellation
   * can kill; each task pays serialisation and IPC.
   */
  PROCESSES,
  /**
   * The worker threads of the server's peer replicas (its {@code --peers}): one gRPC call per task,
   * and a task whose peer dies runs again on another. Compare counts all their workers.
   */
  CLUSTER
}
