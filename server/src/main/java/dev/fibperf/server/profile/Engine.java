package dev.fibperf.server.profile;

/** Which sampler takes a profile's execution samples. */
public enum Engine {
  /** Java Flight Recorder's {@code jdk.ExecutionSample}: always there. */
  JFR,
  /**
   * async-profiler (CPU cycles through perf events, else an interval timer of CPU time): a fraction
   * of JFR's cost per sample here (BENCHMARKS), where its native library loads; else the session
   * uses JFR and says why.
   */
  ASYNC_PROFILER
}
