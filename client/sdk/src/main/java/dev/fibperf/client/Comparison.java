package dev.fibperf.client;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the parallel run achieved against the serial one, and what this machine allowed.
 *
 * @param serial the serial run
 * @param parallel the parallel run
 * @param speedup serial wall / parallel wall
 * @param efficiency speedup / parallel workers
 * @param workBound total work / workers, never below the longest task
 * @param scheduleBound makespan of the largest-first schedule actually used
 * @param workBoundSpeedup serial wall / work bound
 * @param scheduleBoundSpeedup serial wall / schedule bound
 * @param scheduleAttainment schedule bound / parallel wall (1.0 = as fast as the schedule allows)
 * @param notes plain-language remarks from the server
 * @param serialProfile the serial run's profile, if asked for
 * @param parallelProfile the parallel run's profile, if asked for
 */
public record Comparison(
    RunSummary serial,
    RunSummary parallel,
    double speedup,
    double efficiency,
    Duration workBound,
    Duration scheduleBound,
    double workBoundSpeedup,
    double scheduleBoundSpeedup,
    double scheduleAttainment,
    List<String> notes,
    Optional<Profile> serialProfile,
    Optional<Profile> parallelProfile)
    implements FibEvent {
  public Comparison {
    notes = List.copyOf(notes);
  }
}
