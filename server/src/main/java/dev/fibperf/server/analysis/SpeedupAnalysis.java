package dev.fibperf.server.analysis;

import dev.fibperf.server.analysis.schedule.Schedules;
import dev.fibperf.server.exec.CoreWait;
import dev.fibperf.server.exec.DispatchOrder;
import dev.fibperf.server.exec.KernelCacheUse;
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
 * @param notes true statements about the figures above, as facts ({@link NoteText} words them)
 * @param reading what the figures mean taken together: {@link NoteKind#READING_CLEAN} or {@link
 *     NoteKind#READING_NOT_CLEAN}
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
    List<Note> notes,
    Note reading) {

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
  /**
   * Above this share of a phase's lookups answered by the kernel's cache, the phase timed the
   * cache: a memoized kernel whose earlier tasks (or the warm-up) computed what this one asks.
   */
  public static final double CACHE_WARM_ABOVE = 0.5;

  private static java.util.Optional<Note> cacheWarm(RunResult serial, RunResult parallel) {
    KernelCacheUse s = serial.kernelCache();
    KernelCacheUse p = parallel.kernelCache();
    if (s == null && p == null) {
      return java.util.Optional.empty();
    }
    double serialRate = s == null ? 0 : s.hitRate();
    double parallelRate = p == null ? 0 : p.hitRate();
    if (Math.max(serialRate, parallelRate) <= CACHE_WARM_ABOVE) {
      return java.util.Optional.empty();
    }
    KernelCacheUse last = p != null ? p : s;
    return java.util.Optional.of(
        Note.of(NoteKind.CACHE_WARM)
            .ratio("serial_hit_rate", serialRate)
            .ratio("parallel_hit_rate", parallelRate)
            .count("entries", last.entries())
            .count("capacity", last.capacity())
            .build());
  }

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

    List<Note> notes = new ArrayList<>();
    verdictNote(verdict, serial, parallel, speedup, workers, cpuGrowth).ifPresent(notes::add);
    cacheWarm(serial, parallel).ifPresent(notes::add);
    if (!warmupPoolStartup.isZero()) {
      notes.add(
          Note.of(NoteKind.WARMUP_STARTED_POOLS)
              .count("pools", serial.pool() == parallel.pool() ? 1 : 2)
              .duration("startup", warmupPoolStartup)
              .build());
    }
    for (Phase phase : List.of(new Phase("serial", serial), new Phase("parallel", parallel))) {
      if (phase.result().poolCold()) {
        notes.add(
            Note.of(NoteKind.PHASE_STARTED_POOL)
                .label("phase", phase.name())
                .label(
                    "pool",
                    switch (phase.result().pool()) {
                      case PROCESSES -> "worker-process";
                      case CLUSTER -> "cluster";
                      case THREADS -> "thread";
                    })
                .duration("startup", phase.result().poolStartup())
                .build());
      }
    }
    if (parallel.pool() == PoolKind.CLUSTER) {
      notes.add(
          Note.of(NoteKind.CLUSTER_HANDOFF)
              .count("workers", workers)
              .count("peers", peerCount(parallel))
              .duration("handoff_per_task", parallel.handoffPerTask())
              .duration("serial_handoff_per_task", serial.handoffPerTask())
              .build());
    }
    if (parallel.pool() == PoolKind.PROCESSES) {
      notes.add(
          Note.of(NoteKind.PROCESS_HANDOFF)
              .duration("handoff_per_task", parallel.handoffPerTask())
              .duration("serial_handoff_per_task", serial.handoffPerTask())
              .build());
    }
    double evenSplit = total / workers;
    if (optimal.proven() && opt > evenSplit * 1.01) {
      notes.add(
          Note.of(NoteKind.UNEVEN_TASKS)
              .count("workers", workers)
              .duration("optimal_makespan", nanos(opt))
              .ratio("excess", opt / evenSplit - 1)
              .duration("even_split", nanos(evenSplit))
              .build());
    }
    if (!optimal.proven()) {
      notes.add(Note.of(NoteKind.SEARCH_BUDGET).ratio("optimal_gap", optimal.provenGap()).build());
    }
    if (largestFirst > opt * 1.01) {
      notes.add(
          Note.of(NoteKind.LARGEST_FIRST_SLOWER)
              .ratio("excess", largestFirst / opt - 1)
              .flag("optimal_proven", optimal.proven())
              .duration("largest_first_makespan", nanos(largestFirst))
              .duration("optimal_makespan", nanos(opt))
              .label("schedule", schedule.label())
              .build());
    }
    double parallelCpuChange = 1 / cpuGrowth - 1;
    if (attainment > 1.01) {
      notes.add(
          Note.of(NoteKind.BEAT_OPTIMUM)
              .ratio("beat_by", attainment - 1)
              .flag("optimal_proven", optimal.proven())
              .ratio("parallel_cpu_change", parallelCpuChange)
              .build());
    }
    if (attainment < 0.9) {
      notes.add(
          Note.of(NoteKind.BEHIND_OPTIMUM)
              .ratio("excess", 1 / attainment - 1)
              .flag("optimal_proven", optimal.proven())
              .ratio("parallel_cpu_change", parallelCpuChange)
              .build());
    }
    Note reading =
        verdict == Verdict.CLEAN
            ? Note.of(NoteKind.READING_CLEAN)
                .ratio("attainment", attainment)
                .flag("optimal_proven", optimal.proven())
                .ratio("ideal_speedup", idealSpeedup)
                .count("workers", workers)
                .build()
            : Note.of(NoteKind.READING_NOT_CLEAN)
                .label("verdict", verdict.name())
                .ratio("speedup", speedup)
                .build();
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
        notes,
        reading);
  }

  private record Phase(String name, RunResult result) {}

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

  private static Optional<Note> verdictNote(
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
            Note.of(NoteKind.WORKER_LOST)
                .count("tasks_rerun", parallel.tasksRerun())
                .count("workers", workers)
                .label("lost_tasks", String.join("; ", lost))
                .build());
      case CONTENDED:
        boolean serialWaited = serial.coreWaitShare() >= parallel.coreWaitShare();
        RunResult waited = serialWaited ? serial : parallel;
        if (waited.coreWaitShare() > RunResult.CORE_WAIT_ABOVE) {
          return Optional.of(
              Note.of(NoteKind.CONTENDED_CORES)
                  .label("phase", serialWaited ? "serial" : "parallel")
                  .duration("core_wait", waited.coreWait())
                  .ratio("core_wait_share", waited.coreWaitShare())
                  .count("workers", waited.parallelism())
                  .label(
                      "source",
                      waited.coreWaitSource() == CoreWait.Source.SCHEDSTAT
                          ? "schedstat"
                          : "elapsed minus CPU")
                  .build());
        }
        boolean serialStarved = serial.cpuShare() <= parallel.cpuShare();
        RunResult starved = serialStarved ? serial : parallel;
        if (starved.cpuShare() < RunResult.CONTENDED_BELOW) {
          return Optional.of(
              Note.of(NoteKind.CONTENDED_CPU)
                  .label("phase", serialStarved ? "serial" : "parallel")
                  .ratio("cpu_share", starved.cpuShare())
                  .build());
        }
        boolean serialQueued = serial.queuedShare() >= parallel.queuedShare();
        RunResult queued = serialQueued ? serial : parallel;
        return Optional.of(
            Note.of(NoteKind.CONTENDED_QUEUE)
                .label("phase", serialQueued ? "serial" : "parallel")
                .duration("queue_wait", queued.taskQueueWaitForWorkers())
                .ratio("queued_share", queued.queuedShare())
                .build());
      case UNSTEADY:
        boolean serialSlower = cpuGrowth > 1;
        return Optional.of(
            Note.of(NoteKind.UNSTEADY)
                .label("phase", serialSlower ? "serial" : "parallel")
                .ratio("extra_cpu", (serialSlower ? cpuGrowth : 1 / cpuGrowth) - 1)
                .build());
      case IMPLAUSIBLE:
        return Optional.of(
            Note.of(NoteKind.IMPLAUSIBLE)
                .ratio("speedup", speedup)
                .count("workers", workers)
                .ratio("serial_cpu_change", cpuGrowth - 1)
                .ratio("unsteady_above", UNSTEADY_ABOVE - 1)
                .build());
    }
    throw new AssertionError(verdict);
  }

  private static Duration nanos(double nanos) {
    return Duration.ofNanos(Math.round(nanos));
  }
}
