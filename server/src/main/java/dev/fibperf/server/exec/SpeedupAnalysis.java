package dev.fibperf.server.exec;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.Schedules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a parallel run achieved against a serial run of the same tasks, and what it could have
 * achieved: the work bound and the bound of the schedule actually used, from the kernel's cost
 * model calibrated on the serial run.
 *
 * @param speedup serial wall / parallel wall
 * @param efficiency speedup / workers given to the parallel run
 * @param workBound total work / workers, but never below the longest task
 * @param scheduleBound makespan of largest-first list scheduling on those workers
 * @param workBoundSpeedup serial wall / work bound
 * @param scheduleBoundSpeedup serial wall / schedule bound
 * @param scheduleAttainment schedule bound / parallel wall; 1.0 means the schedule's best
 * @param notes plain-language remarks for the reader
 */
public record SpeedupAnalysis(
    double speedup,
    double efficiency,
    Duration workBound,
    Duration scheduleBound,
    double workBoundSpeedup,
    double scheduleBoundSpeedup,
    double scheduleAttainment,
    List<String> notes) {

  public SpeedupAnalysis {
    notes = List.copyOf(notes);
  }

  private static String readable(Duration d) {
    double micros = d.toNanos() / 1e3;
    return micros < 1000
        ? String.format("%.1f us", micros)
        : String.format("%.2f ms", micros / 1000);
  }

  /** Compares {@code parallel} (run largest first) with {@code serial} over the same tasks. */
  public static SpeedupAnalysis of(RunResult serial, RunResult parallel) {
    Algorithm algorithm = serial.algorithm();
    int workers = parallel.parallelism();
    List<Task> tasks = new ArrayList<>();
    double totalCost = 0;
    for (TaskResult r : serial.results()) {
      tasks.add(new Task(r.index(), r.n()));
      totalCost += algorithm.cost(r.n());
    }
    // Calibrate the cost model on the serial run: nanoseconds per unit of work on this machine.
    double nanosPerUnit = totalCost == 0 ? 0 : serial.taskTime().toNanos() / totalCost;
    List<Double> predicted = new ArrayList<>();
    for (Task t : DispatchOrder.LARGEST_FIRST.apply(tasks, algorithm)) {
      predicted.add(algorithm.cost(t.n()) * nanosPerUnit);
    }
    double workBound = Schedules.workBound(predicted, workers);
    double scheduleBound = Schedules.listScheduleMakespan(predicted, workers);
    double serialWall = serial.wall().toNanos();
    double parallelWall = Math.max(1, parallel.wall().toNanos());
    double speedup = serialWall / parallelWall;
    double scheduleBoundSpeedup = serialWall / Math.max(1, scheduleBound);
    double attainment = scheduleBound / parallelWall;

    List<String> notes = new ArrayList<>();
    if (serial.poolCold()) {
      notes.add("The serial phase created the worker pool; its wall time includes that start-up.");
    }
    if (parallel.poolCold()) {
      notes.add(
          parallel.pool() == PoolKind.PROCESSES
              ? "The parallel phase paid the start-up of the worker processes."
              : "The parallel phase paid the worker pool's start-up.");
    }
    if (parallel.pool() == PoolKind.PROCESSES) {
      notes.add(
          String.format(
              "Worker processes cost %s per task in serialisation and IPC, against %s for the"
                  + " serial phase's in-process hand-off.",
              readable(parallel.dispatchCostPerTask()), readable(serial.dispatchCostPerTask())));
    }
    if (scheduleBound > workBound * 1.01) {
      notes.add(
          String.format(
              "Uneven tasks: the best schedule on %d workers is %.0f%% above the work bound.",
              workers, 100 * (scheduleBound / workBound - 1)));
    }
    if (attainment < 0.9) {
      notes.add(
          String.format(
              "The parallel phase reached %.0f%% of its schedule bound: the workers shared the"
                  + " CPUs with other load, or the tasks were too small for the dispatch cost.",
              100 * attainment));
    }
    return new SpeedupAnalysis(
        speedup,
        speedup / workers,
        Duration.ofNanos(Math.round(workBound)),
        Duration.ofNanos(Math.round(scheduleBound)),
        serialWall / Math.max(1, workBound),
        scheduleBoundSpeedup,
        attainment,
        notes);
  }
}
