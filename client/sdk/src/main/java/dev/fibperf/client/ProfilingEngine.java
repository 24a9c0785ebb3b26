package dev.fibperf.client;

/** What takes a profile's samples. */
public enum ProfilingEngine {
  /** Java Flight Recorder's execution sampler. */
  JFR,
  /**
   * async-profiler, where the server can load it (else the profile is JFR's and its {@code
   * engineNote} says why).
   */
  ASYNC_PROFILER
}
