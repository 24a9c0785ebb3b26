package dev.fibperf.client;

/** Downloadable forms of a profile. */
public enum ArtifactFormat {
  /** Collapsed stacks, one line per stack with its count: flame-graph input. */
  COLLAPSED,
  /** A self-contained flame-graph HTML page. */
  FLAMEGRAPH_HTML,
  /** The raw JFR recording; holds other calls' data, so servers allow it only on request. */
  JFR
}
