package dev.fibperf.server.run;

import dev.fibperf.server.analysis.RoundPolicy;
import dev.fibperf.server.analysis.ScheduleKind;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.DispatchOrder;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.Task;
import java.util.List;
import java.util.Objects;

/**
 * A validated request to run: what to compute, where, and how it is measured.
 *
 * @param kind which composition of phases to run
 * @param tasks one per input, indexed in input order
 * @param algorithm the kernel
 * @param parallelism most tasks in flight in the parallel phase (1 for serial kinds); 0 for all the
 *     pool's workers, however many it has when the phase leases it
 * @param pool where the tasks run (Compare's serial phase always runs on threads)
 * @param profile how to profile each phase, or null for an unprofiled run
 * @param exclusive whether the run holds the workers alone (no other run's task runs beside it)
 * @param schedule how a Compare's parallel phase orders its tasks
 * @param coordinatorRun for a task another replica's cluster pool sent here: that replica's run;
 *     null otherwise
 * @param rounds how many rounds of its two phases a Compare runs; null for other kinds
 * @param label the caller's name for the run (ListRuns and CompareRuns find runs by it), or empty
 */
public record RunSpec(
    RunKind kind,
    List<Task> tasks,
    Algorithm algorithm,
    int parallelism,
    PoolKind pool,
    ProfileSpec profile,
    boolean exclusive,
    ScheduleKind schedule,
    CoordinatorRun coordinatorRun,
    RoundPolicy rounds,
    String label) {
  /**
   * Whose task a peer runs: the coordinating replica, by the address its call came from, and its
   * run's id there.
   */
  public record CoordinatorRun(String coordinator, long runId) {
    public CoordinatorRun {
      Objects.requireNonNull(coordinator, "coordinator");
    }
  }

  /** A run of this replica's own caller. */
  public RunSpec(
      RunKind kind,
      List<Task> tasks,
      Algorithm algorithm,
      int parallelism,
      PoolKind pool,
      ProfileSpec profile,
      boolean exclusive,
      ScheduleKind schedule) {
    this(
        kind,
        tasks,
        algorithm,
        parallelism,
        pool,
        profile,
        exclusive,
        schedule,
        null,
        kind == RunKind.COMPARE ? RoundPolicy.single() : null,
        "");
  }

  /**
   * One task another replica's cluster pool sent here: a Serial run of it on this replica's
   * threads, unprofiled, sharing the workers.
   */
  public static RunSpec peerTask(Task task, Algorithm algorithm, CoordinatorRun coordinatorRun) {
    return new RunSpec(
        RunKind.SERIAL,
        List.of(task),
        algorithm,
        1,
        PoolKind.THREADS,
        null,
        false,
        ScheduleKind.MEASURED_OPTIMAL,
        Objects.requireNonNull(coordinatorRun, "coordinatorRun"),
        null,
        "");
  }

  /**
   * A run with the defaults: a Compare measures alone, on the measured-optimal schedule, in one
   * round.
   */
  public RunSpec(
      RunKind kind,
      List<Task> tasks,
      Algorithm algorithm,
      int parallelism,
      PoolKind pool,
      ProfileSpec profile) {
    this(
        kind,
        tasks,
        algorithm,
        parallelism,
        pool,
        profile,
        kind == RunKind.COMPARE,
        ScheduleKind.MEASURED_OPTIMAL);
  }

  public RunSpec {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(label, "label");
    tasks = List.copyOf(tasks);
    if (parallelism < 0) {
      throw new IllegalArgumentException("parallelism=" + parallelism + " must not be negative");
    }
    if (kind == RunKind.SERIAL || kind == RunKind.PROFILE_SERIAL) {
      parallelism = 1;
    }
    if (kind == RunKind.COMPARE && rounds == null) {
      rounds = RoundPolicy.single();
    }
    if (kind != RunKind.COMPARE) {
      rounds = null;
    }
    if (kind == RunKind.PROFILE_SERIAL && profile == null) {
      throw new IllegalArgumentException("a PROFILE_SERIAL run needs a profile spec");
    }
    for (int i = 0; i < tasks.size(); i++) {
      if (tasks.get(i).index() != i) {
        throw new IllegalArgumentException("tasks[" + i + "].index=" + tasks.get(i).index());
      }
    }
  }

  /**
   * One pass of the run over its tasks.
   *
   * @param schedule for a phase that follows a measured one, how to order its tasks from those
   *     measurements; null to use {@code order}
   * @param profile null when the pass is not profiled
   */
  record PhasePlan(
      Phase phase,
      DispatchOrder order,
      ScheduleKind schedule,
      int parallelism,
      PoolKind pool,
      ProfileSpec profile) {
    /** The same pass, not profiled. */
    PhasePlan unprofiled() {
      return new PhasePlan(phase, order, schedule, parallelism, pool, null);
    }

    /** The same pass on {@code workers} workers, not profiled. */
    PhasePlan withParallelism(int workers) {
      return new PhasePlan(phase, order, schedule, workers, pool, null);
    }
  }

  /** The phases this run executes, in order. */
  List<PhasePlan> phases() {
    PhasePlan serial = new PhasePlan(Phase.SERIAL, DispatchOrder.INPUT, null, 1, pool, profile);
    switch (kind) {
      case SERIAL:
      case PROFILE_SERIAL:
        return List.of(serial);
      case PARALLEL:
        return List.of(
            new PhasePlan(
                Phase.PARALLEL, DispatchOrder.LARGEST_FIRST, null, parallelism, pool, null));
      case COMPARE:
        ProfileSpec phaseProfile = profile == null ? null : profile.summaryOnly();
        return List.of(
            // The baseline is always this JVM's threads, so both pools compare against one thing.
            new PhasePlan(
                Phase.SERIAL, DispatchOrder.INPUT, null, 1, PoolKind.THREADS, phaseProfile),
            new PhasePlan(
                Phase.PARALLEL,
                DispatchOrder.LARGEST_FIRST,
                schedule,
                parallelism,
                pool,
                phaseProfile));
    }
    throw new AssertionError(kind);
  }
}
