package dev.fibperf.server.run;

import dev.fibperf.server.exec.PoolKind;

/**
 * A run asked for more tasks at once than its pool has workers: possible only on the cluster pool,
 * whose size is known when its peers answer, after the request was checked.
 */
public final class PoolTooSmallException extends IllegalArgumentException {
  private static final long serialVersionUID = 1;

  PoolTooSmallException(int parallelism, PoolKind pool, int workers) {
    super(
        String.format(
            "parallelism=%d exceeds the %d workers the %s pool has now",
            parallelism, workers, pool.name().toLowerCase(java.util.Locale.ROOT)));
  }
}
