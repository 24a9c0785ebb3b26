package dev.fibperf.server.run;

import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.RunClock;
import dev.fibperf.server.exec.TaskPool;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Everything one admitted run works with: what the {@link Runner} lends every run, and what this
 * run's admission gave it.
 *
 * @param id the run's id, unique in this server
 * @param spec what to run
 * @param house the pools, profiler, isolation and clock every run shares
 * @param publish where the run's events go: its caller and the runner's listeners
 * @param callerHasRoom consulted before each task is handed out; while false no task starts
 * @param releaseSlot frees the run slot the admission took (nothing, if it took none)
 * @param granted the workers' hold taken at admission, or null to queue for one at start
 * @param deadlineNanoTime when the caller stops waiting ({@link System#nanoTime()}'s clock)
 */
record RunContext(
    long id,
    RunSpec spec,
    House house,
    Consumer<RunEvent> publish,
    BooleanSupplier callerHasRoom,
    Runnable releaseSlot,
    Isolation.Hold granted,
    long deadlineNanoTime) {

  /** What every run borrows from the runner. */
  record House(
      Map<PoolKind, TaskPool> pools,
      PhaseProfiler profiler,
      Isolation isolation,
      RunClock clock,
      PastCompares pastCompares) {}
}
