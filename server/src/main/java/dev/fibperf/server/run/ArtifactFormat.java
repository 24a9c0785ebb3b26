package dev.fibperf.server.run;

/** The files a profiled run can deliver beside its hot-method summary. */
public enum ArtifactFormat {
  /** One line per distinct stack, root first, with its sample count (flamegraph.pl input). */
  COLLAPSED,
  /** A self-contained interactive flame graph page. */
  FLAMEGRAPH_HTML,
  /** The raw JFR recording (this JVM only; it holds every thread's events). */
  JFR
}
