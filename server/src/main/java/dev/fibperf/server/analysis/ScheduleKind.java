package dev.fibperf.server.analysis;

/** How a Compare's parallel phase orders its tasks. */
public enum ScheduleKind {
  /** Most expensive first by the cost model: needs no measurement. */
  LARGEST_FIRST("largest-first"),
  /**
   * The optimal schedule of the costs the serial phase measured, dispatched in its start order:
   * list scheduling in that order reproduces it, and a task that runs long still frees its worker
   * to the shared queue.
   */
  MEASURED_OPTIMAL("measured-optimal");

  private final String label;

  ScheduleKind(String label) {
    this.label = label;
  }

  /** How notes and the CLI name it. */
  public String label() {
    return label;
  }
}
