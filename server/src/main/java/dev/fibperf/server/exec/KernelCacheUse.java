package dev.fibperf.server.exec;

import dev.fibperf.kernel.CacheStats;

/**
 * What a kernel's cache did during one phase on threads: lookups answered and not (every run's that
 * shared the kernel meanwhile; an exclusive Compare has it to itself), and what it held at the end.
 */
public record KernelCacheUse(long hits, long misses, long entries, long capacity) {
  /** The use between two readings of one cache; null when the kernel keeps none. */
  static KernelCacheUse between(CacheStats before, CacheStats after) {
    if (before == null || after == null) {
      return null;
    }
    return new KernelCacheUse(
        Math.max(0, after.hits() - before.hits()),
        Math.max(0, after.misses() - before.misses()),
        after.entries(),
        after.capacity());
  }

  /** hits / (hits + misses), or 0 without a lookup. */
  public double hitRate() {
    long lookups = hits + misses;
    return lookups == 0 ? 0 : (double) hits / lookups;
  }
}
