package dev.fibperf.client;

/** Which RPC started a run. */
public enum RunMethod {
  SERIAL,
  PARALLEL,
  PROFILE_SERIAL,
  COMPARE
}
