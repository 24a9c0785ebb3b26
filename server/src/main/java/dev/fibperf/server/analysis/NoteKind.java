package dev.fibperf.server.analysis;

/**
 * What a {@link Note} states. Each kind cites a fixed set of named figures (listed per kind, with
 * their type); {@link NoteText} is the one place that turns a kind and its figures into English.
 * Figure names are shared across kinds where they mean the same thing, so a client can read, e.g.,
 * {@code workers} from any note that cites it.
 */
public enum NoteKind {
  /**
   * A parallel-phase worker was lost and its tasks ran again elsewhere. {@code tasks_rerun}
   * (count), {@code workers} (count), {@code lost_tasks} (label: each re-run task and its failed
   * attempts).
   */
  WORKER_LOST,
  /**
   * A phase's tasks got too little CPU for their elapsed time. {@code phase} (label), {@code
   * cpu_share} (ratio).
   */
  CONTENDED_CPU,
  /**
   * A phase's tasks waited for workers behind other calls. {@code phase} (label), {@code
   * queue_wait} (duration), {@code queued_share} (ratio of the phase's wall time).
   */
  CONTENDED_QUEUE,
  /**
   * The same tasks used more CPU in one phase than the other. {@code phase} (label: the phase that
   * used more), {@code extra_cpu} (ratio above the other phase).
   */
  UNSTEADY,
  /**
   * The speedup exceeds the workers with no other explanation. {@code speedup} (ratio), {@code
   * workers} (count), {@code serial_cpu_change} (ratio, signed: the serial phase's CPU over the
   * parallel phase's, minus one), {@code unsteady_above} (ratio: the CPU change that would be
   * unsteady).
   */
  IMPLAUSIBLE,
  /**
   * The warm-up started the Compare's pools before either phase's clock. {@code pools} (count),
   * {@code startup} (duration).
   */
  WARMUP_STARTED_POOLS,
  /**
   * A phase started its pool; the start-up is reported outside the phase's wall. {@code phase}
   * (label), {@code pool} (label), {@code startup} (duration).
   */
  PHASE_STARTED_POOL,
  /**
   * The cluster pool's network hand-off per task against the serial phase's. {@code workers}
   * (count), {@code peers} (count), {@code handoff_per_task} (duration), {@code
   * serial_handoff_per_task} (duration).
   */
  CLUSTER_HANDOFF,
  /**
   * Worker processes' hand-off, serialisation and IPC per task against the serial phase's threads.
   * {@code handoff_per_task} (duration), {@code serial_handoff_per_task} (duration).
   */
  PROCESS_HANDOFF,
  /**
   * The tasks do not split evenly over the workers. {@code workers} (count), {@code
   * optimal_makespan} (duration), {@code even_split} (duration), {@code excess} (ratio above the
   * even split).
   */
  UNEVEN_TASKS,
  /** The schedule search stopped at its budget. {@code optimal_gap} (ratio). */
  SEARCH_BUDGET,
  /**
   * Largest-first is longer than the best schedule. {@code excess} (ratio), {@code optimal_proven}
   * (flag), {@code largest_first_makespan} (duration), {@code optimal_makespan} (duration), {@code
   * schedule} (label: what the parallel phase followed).
   */
  LARGEST_FIRST_SLOWER,
  /**
   * The parallel phase finished sooner than the best schedule of the serial phase's costs. {@code
   * beat_by} (ratio), {@code optimal_proven} (flag), {@code parallel_cpu_change} (ratio, signed:
   * the parallel phase's CPU over the serial phase's, minus one).
   */
  BEAT_OPTIMUM,
  /**
   * The parallel phase took longer than the best schedule. {@code excess} (ratio), {@code
   * optimal_proven} (flag), {@code parallel_cpu_change} (ratio, signed).
   */
  BEHIND_OPTIMUM,
  /**
   * The reading of a Compare whose verdict is not clean. {@code verdict} (label), {@code speedup}
   * (ratio).
   */
  READING_NOT_CLEAN,
  /**
   * The reading of a clean Compare: how close it came to the best schedule and what the tasks
   * allow. {@code attainment} (ratio), {@code optimal_proven} (flag), {@code ideal_speedup}
   * (ratio), {@code workers} (count).
   */
  READING_CLEAN,
  /**
   * A phase's threads waited for cores: runnable, with another thread on the core. {@code phase}
   * (label), {@code core_wait} (duration, summed over the phase's threads), {@code core_wait_share}
   * (ratio of the phase's wall time), {@code workers} (count: the cores the phase needed), {@code
   * source} (label: "schedstat", or "elapsed minus CPU" where the OS reports no run delay).
   */
  CONTENDED_CORES,
  /**
   * Too few clean rounds for a confidence interval: the figures are one sample (or a few). {@code
   * rounds} (count: the clean rounds).
   */
  ONE_SAMPLE,
  /**
   * Rounds the estimate leaves out, with their measured causes. {@code excluded} (count), {@code
   * rounds} (count), {@code causes} (label: e.g. "core wait 2, unsteady 1").
   */
  ROUNDS_EXCLUDED,
  /**
   * The estimate did not converge. {@code half_width} (ratio: the interval's half-width over the
   * estimate), {@code target} (ratio), {@code rounds_used} (count), {@code min_rounds} (count: the
   * clean rounds a clean estimate needs), {@code stop} (label: why no further round ran).
   */
  ESTIMATE_NOISY,
  /**
   * Too few clean rounds, most lost to waiting for cores. {@code core_wait_share} (ratio: the mean
   * of the parallel phases' core-wait shares), {@code workers} (count), {@code rounds_used}
   * (count), {@code rounds} (count).
   */
  ESTIMATE_CONTENDED,
  /**
   * The reading of a Compare's estimate over rounds. {@code verdict} (label), {@code speedup},
   * {@code low}, {@code high} (ratios: the estimate and its 95 % interval), {@code rounds_used}
   * (count), {@code rounds_excluded} (count), {@code attainment} (ratio: the estimate's).
   */
  READING_ESTIMATE,
  /**
   * A contended Compare's speedup with each phase's measured core wait taken out ({@link
   * dev.fibperf.server.exec.RunResult#freeWall()}): what free cores would have given. {@code
   * speedup}, {@code low}, {@code high} (ratios: the estimate and its 95 % interval), {@code
   * rounds_used} (count), {@code rounds} (count).
   */
  ESTIMATE_CORE_WAIT_REMOVED,
  /**
   * The kernel's cache answered most lookups of a phase: the comparison measures the cache. {@code
   * serial_hit_rate}, {@code parallel_hit_rate} (ratios), {@code entries}, {@code capacity}
   * (counts).
   */
  CACHE_WARM
}
