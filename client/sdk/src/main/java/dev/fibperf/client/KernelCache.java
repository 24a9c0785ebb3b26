package dev.fibperf.client;

/**
 * What a kernel's cache did during a run on threads (a kernel that keeps one, such as {@code
 * fib-memo}).
 *
 * @param hits lookups it answered during the run (every run's meanwhile)
 * @param misses lookups it did not
 * @param hitRate hits / (hits + misses); 0 without a lookup
 * @param entries what it held at the run's end
 * @param capacity the most it holds
 */
public record KernelCache(long hits, long misses, double hitRate, long entries, long capacity) {}
