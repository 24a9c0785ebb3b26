package dev.fibperf.client;

/** How a Compare's parallel phase orders its tasks. */
public enum Schedule {
  /** The optimal schedule of the serial phase's measured costs (the server's default). */
  MEASURED_OPTIMAL,
  /** Most expensive first by the cost model. */
  LARGEST_FIRST
}
