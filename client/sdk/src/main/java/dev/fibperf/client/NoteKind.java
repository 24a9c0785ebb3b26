package dev.fibperf.client;

/**
 * What a {@link Note} states. The figures each kind cites are listed in the contract's {@code
 * NoteKind} (fibperf.proto); {@link Note#ratio}, {@link Note#duration} and the like read them.
 */
public enum NoteKind {
  /** A parallel-phase worker was lost and its tasks ran again elsewhere. */
  WORKER_LOST,
  /** A phase's tasks got too little CPU for their elapsed time. */
  CONTENDED_CPU,
  /** A phase's tasks waited for workers behind other calls. */
  CONTENDED_QUEUE,
  /** The same tasks used more CPU in one phase than in the other. */
  UNSTEADY,
  /** The speedup exceeds the workers with nothing measured to explain it. */
  IMPLAUSIBLE,
  /** The warm-up started the Compare's pools, before either phase's clock. */
  WARMUP_STARTED_POOLS,
  /** A phase started its pool; the start-up is reported outside its wall time. */
  PHASE_STARTED_POOL,
  /** The cluster pool's network hand-off per task. */
  CLUSTER_HANDOFF,
  /** Worker processes' hand-off, serialisation and IPC per task. */
  PROCESS_HANDOFF,
  /** The tasks do not split evenly over the workers. */
  UNEVEN_TASKS,
  /** The schedule search stopped at its budget. */
  SEARCH_BUDGET,
  /** Largest-first is longer than the best schedule. */
  LARGEST_FIRST_SLOWER,
  /** The parallel phase beat the best schedule of the serial phase's costs. */
  BEAT_OPTIMUM,
  /** The parallel phase took longer than the best schedule. */
  BEHIND_OPTIMUM,
  /** The reading of a Compare that is not clean. */
  READING_NOT_CLEAN,
  /** The reading of a clean Compare. */
  READING_CLEAN,
  /** A phase's threads waited for cores taken by other load. */
  CONTENDED_CORES,
  /** Too few clean rounds for a confidence interval. */
  ONE_SAMPLE,
  /** Rounds the estimate leaves out, with their causes. */
  ROUNDS_EXCLUDED,
  /** The estimate did not converge to the target precision. */
  ESTIMATE_NOISY,
  /** Too few clean rounds, most lost to waiting for cores. */
  ESTIMATE_CONTENDED,
  /** The reading of a Compare's estimate over rounds. */
  READING_ESTIMATE,
  /** A contended Compare's speedup with every measured wait for a core taken out. */
  ESTIMATE_CORE_WAIT_REMOVED,
  /** The kernel's cache answered most lookups: the comparison measured the cache. */
  CACHE_WARM,
  /** A kind this SDK does not know (a newer server); its text still says it. */
  UNKNOWN
}
