package dev.fibperf.server.profile;

import java.time.Duration;

/**
 * How often a profile samples when its request does not say: the profiler's policy, from what the
 * run is expected to cost, so that a short run still gets enough samples and a long one pays little
 * for them.
 */
public final class SamplingPolicy {
  private SamplingPolicy() {}

  /** Time per naive-recursion call of the kernel on this kind of machine (BENCHMARKS, Kernels). */
  public static final double NANOS_PER_NAIVE_CALL = 1.2;

  /** Samples a profile's default period aims to give a run, at least. */
  public static final int DEFAULT_MIN_SAMPLES = 200;

  /**
   * The default period for runs long enough: at it async-profiler costs 1–3 % on JDK 17 and 25 (3
   * ms cost up to 3.7 % on 25; BENCHMARKS, "What a profile costs").
   */
  public static final Duration DEFAULT_SAMPLING_PERIOD = Duration.ofMillis(4);

  /**
   * The period a profile gets when it asks none, from the run's expected serial length: 4 ms, at
   * which a one-second run still gets about 250 samples and async-profiler costs at most 3 % of
   * task time; finer (down to 1 ms) for a run too short to get {@link #DEFAULT_MIN_SAMPLES} at 4
   * ms, where samples matter more than a few percent of a fraction of a second.
   */
  public static Duration defaultPeriod(double naiveCalls) {
    // Whole milliseconds: JFR's periods are.
    double expectedMillis = naiveCalls * NANOS_PER_NAIVE_CALL / 1e6;
    long period =
        (long)
            Math.min(
                (double) DEFAULT_SAMPLING_PERIOD.toMillis(), expectedMillis / DEFAULT_MIN_SAMPLES);
    return Duration.ofMillis(Math.max(JfrProfiler.FINEST_PERIOD.toMillis(), period));
  }
}
