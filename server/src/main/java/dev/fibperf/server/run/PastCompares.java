package dev.fibperf.server.run;

import java.util.List;

/**
 * The headline speedups of a server's earlier Compares of one run's workload (kernel, nums, pool,
 * parallelism and label), most recent first: what a finished Compare sets itself beside ({@link
 * dev.fibperf.server.analysis.AcrossCompares}). The service answers from its recent runs and the
 * run history; the run layer only asks.
 */
@FunctionalInterface
public interface PastCompares {
  /** None: a server (or test) that keeps no earlier Compares. */
  PastCompares NONE = (runId, parallelism, limit) -> List.of();

  /**
   * At most {@code limit} headline speedups of finished Compares of run {@code runId}'s workload,
   * most recent first, not counting the run itself. Never throws: a history that cannot be read
   * gives what memory has.
   *
   * @param parallelism the workers the run's parallel phase used: part of its workload, and not
   *     known to the run's record until the run has ended
   */
  List<Double> headlineSpeedups(long runId, int parallelism, int limit);
}
