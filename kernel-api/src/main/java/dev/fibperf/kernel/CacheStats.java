package dev.fibperf.kernel;

/**
 * What a kernel's cache has done since it was made, for kernels that keep one across tasks ({@link
 * Kernel#cache()}). fibperf reads it before and after each phase on threads and reports the
 * difference, so a comparison whose phases were answered from a warm cache says so.
 *
 * @param hits lookups the cache answered
 * @param misses lookups it did not
 * @param entries what it holds now
 * @param capacity the most it will hold: caches must be bounded
 */
public record CacheStats(long hits, long misses, long entries, long capacity) {
  public CacheStats {
    if (hits < 0 || misses < 0 || entries < 0 || capacity < 0) {
      throw new IllegalArgumentException("negative cache figures: " + this);
    }
  }
}
