package dev.fibperf.server.analysis;

import dev.fibperf.server.analysis.schedule.Schedules;
import dev.fibperf.server.exec.DispatchOrder;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a parallel run achieved against a serial run of the same tasks, and what the tasks allow.
 *
 * <p>Task costs are the serial phase's measured CPU times (elapsed times where CPU time is not
 * measurable), so every bound is in one time base: the work of the tasks themselves. The speedup is
 * measured on the phases' wall clocks and is never labelled clean above the worker count.
 *
 * @param speedup serial wall / parallel wall
 * @param efficiency speedup / workers
 * @param workers most tasks the parallel phase ran at once
 * @param lowerBound no schedule of the measured costs on {@code workers} finishes sooner
 * @param optimalMakespan the shortest schedule of the measured costs on {@code workers}
 * @param optimalProven whether {@code optimalMakespan} is proven optimal (else the best found)
 * @param optimalGap at most this far (as a fraction) above the optimum; 0 when proven
 * @param largestFirstMakespan the makespan of largest-first list scheduling of the measured costs
 * @param schedule how the parallel phase ordered its tasks
 * @param plannedMakespan the makespan of that order on the measured costs
 * @param idealSpeedup total measured cost / optimal makespan: the best speedup these tasks allow on
 *     {@code workers}; never above {@code workers}
 * @param attainment optimal makespan / parallel wall: 1.0 means as fast as any schedule allows
 * @param verdict whether the speedup is a clean measurement
 * @param notes true statements about the figures above, in plain language
 */
public record SpeedupAnalysis(
    double speedup,
    double efficiency,
    int workers,
    Duration lowerBound,
    Duration optimalMakespan,
    boolean optimalProven,
    double optimalGap,
    Duration largestFirstMakespan,
    ScheduleKind schedule,
    Duration plannedMakespan,
    double idealSpeedup,
    double attainment,
    Verdict verdict,
    List<String> notes) {

  /** One phase used this much more CPU than the other for the same tasks: the machine changed. */
  static final double UNSTEADY_ABOVE = 1.15;

  /** Speedups this far above the worker count are beyond timer noise. */
  static final double IMPLAUSIBLE_ABOVE = 1.02;

  public SpeedupAnalysis {
    notes = List.copyOf(notes);
  }

  /**
   * Each task's cost as measured by a run: its CPU time, or its elapsed time if any task's CPU time
   * is unknown. Indexed like the tasks.
   */
  public static List<Double> measuredCosts(RunResult run) {
    boolean cpu = run.cpuTime() != null;
    List<Double> costs = new ArrayList<>();
    for (TaskResult r : run.results()) {
      costs.add((double) (cpu ? r.cpuTime() : r.duration()).toNanos());
    }
    return costs;
  }

  /**
   * The order in which the parallel phase dispatches tasks under {@code kind}, given the serial
   * phase's measurements: task indices.
   */
  public static List<Integer> dispatchOrder(ScheduleKind kind, RunResult serial, int workers) {
    List<Double> costs = measuredCosts(serial);
    if (kind == ScheduleKind.MEASURED_OPTIMAL) {
      return Schedules.optimal(costs, workers).dispatchOrder();
    }
    List<Task> tasks = new ArrayList<>();
    for (TaskResult r : serial.results()) {
      tasks.add(new Task(r.index(), r.n()));
    }
    return DispatchOrder.LARGEST_FIRST.apply(tasks, serial.algorithm()).stream()
        .map(Task::index)
        .toList();
  }

  /** Compares {@code parallel}, dispatched under {@code schedule}, with {@code serial}. */
  public static SpeedupAnalysis of(RunResult serial, RunResult parallel, ScheduleKind schedule) {
    return of(serial, parallel, schedule, Duration.ZERO);
  }

  /**
   * Like {@link #of(RunResult, RunResult, ScheduleKind)}, for a Compare whose warm-up started its
   * pools, taking {@code warmupPoolStartup}.
   */
  public static SpeedupAnalysis of(
      RunResult serial, RunResult parallel, ScheduleKind schedule, Duration warmupPoolStartup) {
    int workers = parallel.parallelism();
    List<Double> costs = measuredCosts(serial);
    double total = costs.stream().mapToDouble(Double::doubleValue).sum();
    Schedules.Schedule optimal = Schedules.optimal(costs, workers);
    double largestFirst = Schedules.largestFirstMakespan(costs, workers);
    List<Double> planned = new ArrayList<>();
    for (int i : dispatchOrder(schedule, serial, workers)) {
      planned.add(costs.get(i));
    }
    double plannedMakespan = Schedules.listScheduleMakespan(planned, workers);
    double serialWall = serial.wall().toNanos();
    double parallelWall = Math.max(1, parallel.wall().toNanos());
    double speedup = serialWall / parallelWall;
    double opt = optimal.makespan();
    double idealSpeedup = opt == 0 ? 1 : total / opt;
    double attainment = opt / parallelWall;
    double cpuGrowth = cpuPerTaskRatio(serial, parallel);

    Verdict verdict;
    if (parallel.tasksRerun() > 0) {
      verdict = Verdict.WORKER_LOST;
    } else if (serial.contended() || parallel.contended()) {
      verdict = Verdict.CONTENDED;
    } else if (cpuGrowth > UNSTEADY_ABOVE || cpuGrowth < 1 / UNSTEADY_ABOVE) {
      verdict = Verdict.UNSTEADY;
    } else if (speedup > workers * IMPLAUSIBLE_ABOVE) {
      verdict = Verdict.IMPLAUSIBLE;
    } else {
      verdict = Verdict.CLEAN;
    }

    List<String> notes = new ArrayList<>();
    verdictNote(verdict, serial, parallel, speedup, workers, cpuGrowth).ifPresent(notes::add);
    if (!warmupPoolStartup.isZero()) {
      notes.add(
          String.format(
              Locale.ROOT,
              "The warm-up started this Compare's worker pool%s (%s), before either phase's"
                  + " clock started.",
              serial.pool() == parallel.pool() ? "" : "s",
              readable(warmupPoolStartup)));
    }
    for (String name : List.of("serial", "parallel")) {
      RunResult phase = name.equals("serial") ? serial : parallel;
      if (phase.poolCold()) {
        notes.add(
            String.format(
                Locale.ROOT,
                "The %s phase started the %s pool (%s); that start-up is reported on its own,"
                    + " outside the phase's wall time.",
                name,
                switch (phase.pool()) {
                  case PROCESSES -> "worker-process";
                  case CLUSTER -> "cluster";
                  case THREADS -> "thread";
                },
                readable(phase.poolStartup())));
      }
    }
    if (parallel.pool() == PoolKind.CLUSTER) {
      notes.add(
          String.format(
              Locale.ROOT,
              "The cluster pool (%d workers; the tasks ran on %d peers) cost %s per task in"
                  + " network hand-off (a gRPC round trip; queue wait and computation excluded),"
                  + " against %s for the serial phase's threads.",
              workers,
              peerCount(parallel),
              readable(parallel.handoffPerTask()),
              readable(serial.handoffPerTask())));
    }
    if (parallel.pool() == PoolKind.PROCESSES) {
      notes.add(
          String.format(
              Locale.ROOT,
              "Worker processes cost %s per task in hand-off, serialisation and IPC (queue wait and"
                  + " computation excluded), against %s for the serial phase's threads.",
              readable(parallel.handoffPerTask()),
              readable(serial.handoffPerTask())));
    }
    double evenSplit = total / workers;
    if (optimal.proven() && opt > evenSplit * 1.01) {
      notes.add(
          String.format(
              Locale.ROOT,
              "Uneven tasks: the shortest schedule of the measured costs on %d workers takes %s,"
                  + " %.0f%% more than an even split of the work (%s).",
              workers,
              readable(nanos(opt)),
              100 * (opt / evenSplit - 1),
              readable(nanos(evenSplit))));
    }
    if (!optimal.proven()) {
      notes.add(
          String.format(
              Locale.ROOT,
              "The search for the shortest schedule stopped at its budget; the best found is at"
                  + " most %.1f%% above the optimum.",
              100 * optimal.provenGap()));
    }
    // Only a proven optimum may be called the shortest.
    String best = optimal.proven() ? "the shortest schedule" : "the best schedule found";
    if (largestFirst > opt * 1.01) {
      notes.add(
          String.format(
              Locale.ROOT,
              "Largest-first would take %.0f%% longer than %s (%s against %s); this phase"
                  + " followed %s.",
              100 * (largestFirst / opt - 1),
              best,
              readable(nanos(largestFirst)),
              readable(nanos(opt)),
              schedule == ScheduleKind.MEASURED_OPTIMAL
                  ? best + " of the serial phase's measurements"
                  : "largest-first"));
    }
    if (attainment > 1.01) {
      notes.add(
          String.format(
              Locale.ROOT,
              "The parallel phase beat %s of the serial phase's costs by %.0f%%: its tasks used"
                  + " %.0f%% %s CPU than in the serial phase.",
              best,
              100 * (attainment - 1),
              100 * Math.abs(1 / cpuGrowth - 1),
              cpuGrowth <= 1 ? "more" : "less"));
    }
    if (attainment < 0.9) {
      notes.add(
          String.format(
              Locale.ROOT,
              "The parallel phase took %.0f%% longer than %s of the measured costs; its tasks"
                  + " used %.0f%% %s CPU than in the serial phase.",
              100 * (1 / attainment - 1),
              best,
              100 * Math.abs(1 / cpuGrowth - 1),
              cpuGrowth <= 1 ? "more" : "less"));
    }
    return new SpeedupAnalysis(
        speedup,
        speedup / workers,
        workers,
        nanos(optimal.lowerBound()),
        nanos(opt),
        optimal.proven(),
        optimal.provenGap(),
        nanos(largestFirst),
        schedule,
        nanos(plannedMakespan),
        idealSpeedup,
        attainment,
        verdict,
        notes);
  }

  /**
   * CPU per task in the serial phase / in the parallel phase, over the same tasks (elapsed time
   * where CPU time is unknown): above 1, the serial phase did more work for the same results.
   */
  static double cpuPerTaskRatio(RunResult serial, RunResult parallel) {
    double s = measuredCosts(serial).stream().mapToDouble(Double::doubleValue).sum();
    double p = measuredCosts(parallel).stream().mapToDouble(Double::doubleValue).sum();
    return p == 0 ? 1 : s / p;
  }

  /** Peers that ran a task: worker names on the cluster pool are {@code peer/thread}. */
  private static long peerCount(RunResult run) {
    return run.results().stream()
        .map(r -> r.worker().substring(0, Math.max(0, r.worker().lastIndexOf('/'))))
        .distinct()
        .count();
  }

  private static Optional<String> verdictNote(
      Verdict verdict,
      RunResult serial,
      RunResult parallel,
      double speedup,
      int workers,
      double cpuGrowth) {
    switch (verdict) {
      case CLEAN:
        return Optional.empty();
      case WORKER_LOST:
        List<String> lost = new ArrayList<>();
        for (TaskResult r : parallel.results()) {
          if (r.attempts() > 1) {
            lost.add(
                String.format(
                    Locale.ROOT, "nums[%d]=%d after %s", r.index(), r.n(), r.failedAttempts()));
          }
        }
        return Optional.of(
            String.format(
                Locale.ROOT,
                "Worker lost: %d task(s) of the parallel phase ran again on another worker (%s);"
                    + " its wall time holds the lost work on fewer than %d workers, so the"
                    + " speedup understates what %d workers give.",
                parallel.tasksRerun(),
                String.join("; ", lost),
                workers,
                workers));
      case CONTENDED:
        boolean serialStarved = serial.cpuShare() <= parallel.cpuShare();
        RunResult starved = serialStarved ? serial : parallel;
        if (starved.cpuShare() < RunResult.CONTENDED_BELOW) {
          return Optional.of(
              String.format(
                  Locale.ROOT,
                  "Contended: the %s phase's tasks got %.0f%% of their elapsed time as CPU; other"
                      + " load shared the cores, so the speedup says as much about it as about"
                      + " the tasks.",
                  serialStarved ? "serial" : "parallel",
                  100 * starved.cpuShare()));
        }
        boolean serialQueued = serial.queuedShare() >= parallel.queuedShare();
        RunResult queued = serialQueued ? serial : parallel;
        return Optional.of(
            String.format(
                Locale.ROOT,
                "Contended: the %s phase's tasks waited %s for workers behind other calls (%.0f%%"
                    + " of its wall time), so the speedup says as much about them as about the"
                    + " tasks.",
                serialQueued ? "serial" : "parallel",
                readable(queued.taskQueueWait()),
                100 * queued.queuedShare()));
      case UNSTEADY:
        boolean serialSlower = cpuGrowth > 1;
        return Optional.of(
            String.format(
                Locale.ROOT,
                "Unsteady: the same tasks used %.0f%% more CPU in the %s phase than in the %s one;"
                    + " the machine did less work per CPU-second then (a busy host, cores that"
                    + " share hardware, or code still compiling), so the speedup is %s.",
                100 * ((serialSlower ? cpuGrowth : 1 / cpuGrowth) - 1),
                serialSlower ? "serial" : "parallel",
                serialSlower ? "parallel" : "serial",
                serialSlower ? "overstated" : "understated"));
      case IMPLAUSIBLE:
        return Optional.of(
            String.format(
                Locale.ROOT,
                "Not a clean measurement: a speedup of %.2fx exceeds the %d workers. No contention"
                    + " was measured, and the serial phase's tasks used %.0f%% %s CPU than the same"
                    + " tasks in parallel (over %.0f%% would be unsteady).",
                speedup,
                workers,
                100 * Math.abs(cpuGrowth - 1),
                cpuGrowth >= 1 ? "more" : "less",
                100 * (UNSTEADY_ABOVE - 1)));
    }
    throw new AssertionError(verdict);
  }

  private static Duration nanos(double nanos) {
    return Duration.ofNanos(Math.round(nanos));
  }

  private static String readable(Duration d) {
    double micros = d.toNanos() / 1e3;
    if (micros < 1000) {
      return String.format(Locale.ROOT, "%.1f us", micros);
    }
    return micros < 1e6
        ? String.format(Locale.ROOT, "%.2f ms", micros / 1000)
        : String.format(Locale.ROOT, "%.2f s", micros / 1e6);
  }
}
