package dev.fibperf.server.exec;

import java.time.Instant;

/**
 * Where a run reads time: the monotonic clock for durations, the wall clock for timestamps. A seam,
 * so tests can drive both from a manual clock and check every figure exactly.
 */
public interface RunClock {
  /** The JVM's own clocks. */
  RunClock SYSTEM =
      new RunClock() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public Instant now() {
          return Instant.now();
        }
      };

  /** Monotonic nanoseconds, for durations only (like {@link System#nanoTime()}). */
  long nanoTime();

  /** The wall-clock time, for timestamps (UTC). */
  Instant now();
}
