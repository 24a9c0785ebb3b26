package dev.fibperf.client;

import java.util.Objects;

/**
 * How a Compare measures.
 *
 * @param profile whether to profile both phases too
 * @param exclusive whether to hold the server's workers alone while measuring (the default): the
 *     Compare waits for runs in flight, and later runs wait for it. {@code false} runs beside other
 *     calls; the server then measures and flags contention.
 * @param schedule how the parallel phase orders its tasks
 */
public record CompareOptions(boolean profile, boolean exclusive, Schedule schedule) {
  /** Unprofiled, exclusive, on the measured-optimal schedule. */
  public static final CompareOptions DEFAULT =
      new CompareOptions(false, true, Schedule.MEASURED_OPTIMAL);

  public CompareOptions {
    Objects.requireNonNull(schedule, "schedule");
  }

  public CompareOptions withProfile(boolean profile) {
    return new CompareOptions(profile, exclusive, schedule);
  }

  public CompareOptions withExclusive(boolean exclusive) {
    return new CompareOptions(profile, exclusive, schedule);
  }

  public CompareOptions withSchedule(Schedule schedule) {
    return new CompareOptions(profile, exclusive, schedule);
  }
}
