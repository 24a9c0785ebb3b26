package dev.fibperf.server.exec;

import java.time.Instant;

/**
 * Where a run reads time: the monotonic clock for durations, the wall clock for timestamps, and the
 * calling thread's wait for a core ({@link CoreWait}). A seam, so tests can drive all three from a
 * manual clock and check every figure exactly, whatever else the machine is running.
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

        @Override
        public long coreWaitSinceLastMark() {
          return CoreWait.sinceLastMark();
        }
      };

  /** Monotonic nanoseconds, for durations only (like {@link System#nanoTime()}). */
  long nanoTime();

  /** The wall-clock time, for timestamps (UTC). */
  Instant now();

  /**
   * The calling thread's wait for a core since its previous call, or -1 where it is not measured
   * ({@link CoreWait#sinceLastMark()}). Default: not measured.
   */
  default long coreWaitSinceLastMark() {
    return -1;
  }
}
