package dev.fibperf.server.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.analysis.ScheduleKind;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.PoolObserver;
import dev.fibperf.server.exec.RunClock;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.WorkerPool;
import dev.fibperf.server.exec.cluster.ClusterPool;
import dev.fibperf.server.exec.process.ProcessPool;
import dev.fibperf.server.profile.JfrProfiler;
import dev.fibperf.server.testing.FakeKernel;
import dev.fibperf.server.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The run layer on a real thread pool with a fake kernel: events, composition, admission. */
class RunnerTest {
  private final FakeKernel instant = FakeKernel.instant();
  private WorkerPool threads;
  private ProcessPool processes;
  private ScheduledExecutorService profiling;

  private Runner runner(FakeKernel kernel, int maxRuns) {
    return runner(kernel, maxRuns, RunClock.SYSTEM);
  }

  private Runner runner(FakeKernel kernel, int maxRuns, RunClock clock) {
    threads = new WorkerPool(2, PoolObserver.NONE, kernel);
    processes =
        new ProcessPool(2, PoolObserver.NONE, List.of(), Duration.ofSeconds(1)); // never started
    profiling = Executors.newSingleThreadScheduledExecutor();
    return new Runner(
        threads,
        processes,
        ClusterPool.unconfigured(),
        new JfrProfiler(),
        profiling,
        maxRuns,
        clock,
        new java.util.concurrent.atomic.AtomicLong(1)::getAndIncrement);
  }

  @AfterEach
  void close() {
    threads.close();
    processes.close();
    profiling.shutdownNow();
  }

  private static RunSpec spec(RunKind kind, int parallelism, int... nums) {
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < nums.length; i++) {
      tasks.add(new Task(i, nums[i]));
    }
    return new RunSpec(kind, tasks, Algorithm.NAIVE, parallelism, PoolKind.THREADS, null);
  }

  private static List<String> kinds(List<RunEvent> events) {
    List<String> kinds = new ArrayList<>();
    for (RunEvent e : events) {
      String name = e.getClass().getSimpleName();
      if (e instanceof RunEvent.TaskStarted) {
        name += ":" + ((RunEvent.TaskStarted) e).start().index();
      } else if (e instanceof RunEvent.TaskFinished) {
        name += ":" + ((RunEvent.TaskFinished) e).result().index();
      }
      kinds.add(name);
    }
    return kinds;
  }

  @Test
  void serial_publishesEveryStepInOrder_thenCompletesWithTheResult() throws Exception {
    Runner runner = runner(instant, 4);
    List<RunEvent> events = new CopyOnWriteArrayList<>();

    ActiveRun run = runner.admit(spec(RunKind.SERIAL, 1, 5, 6), events::add, () -> true);
    run.start();
    RunOutcome outcome = run.outcome().get(10, TimeUnit.SECONDS);

    assertEquals(
        List.of(
            "Accepted",
            "TaskStarted:0",
            "TaskFinished:0",
            "TaskStarted:1",
            "TaskFinished:1",
            "PhaseCompleted",
            "Completed"),
        kinds(events));
    assertEquals("6", outcome.only().result().results().get(1).value());
    assertNull(outcome.analysis(), "only Compare analyses");
    assertTrue(events.stream().allMatch(e -> e.runId() == run.id()), "every event names its run");
    assertEquals(0, runner.activeRuns(), "the slot is free once the outcome is known");
  }

  @Test
  void aSerialRun_onAManualClock_reportsEveryDurationExactly() throws Exception {
    Instant origin = Instant.parse("2026-12-01T00:00:00Z");
    ManualClock clock = new ManualClock(origin);
    Runner runner = runner(FakeKernel.advancing(clock), 4, clock);

    ActiveRun run = runner.admit(spec(RunKind.SERIAL, 1, 3, 5), e -> {}, () -> true);
    run.start();
    RunResult result = run.outcome().get(10, TimeUnit.SECONDS).only().result();

    assertEquals(Duration.ofMillis(8), result.wall(), "3 ms + 5 ms, nothing else");
    assertEquals(Duration.ofMillis(8), result.taskTime());
    assertEquals(origin, result.startTime());
    assertEquals(origin.plusMillis(8), result.endTime(), "one clock: end - start = wall");
    assertEquals(origin.plusMillis(3), result.results().get(1).startTime());
    assertEquals(Duration.ZERO, result.handoffPerTask(), "no time passed outside tasks");
    assertEquals(Duration.ZERO, result.queueWait(), "nothing else queued");
    assertEquals(Duration.ZERO, result.poolStartup(), "the fake pool starts at once");
    assertEquals(Duration.ofMillis(8), result.cpuTime(), "the fake kernel had its core");
    assertEquals(1.0, result.cpuShare(), 1e-12);
  }

  @Test
  void compare_runsTheSerialPhaseFirst_thenTheParallelOne_andAnalysesBoth() throws Exception {
    Runner runner = runner(instant, 4);
    List<RunEvent> events = new CopyOnWriteArrayList<>();

    ActiveRun run = runner.admit(spec(RunKind.COMPARE, 2, 3, 4, 5), events::add, () -> true);
    run.start();
    RunOutcome outcome = run.outcome().get(10, TimeUnit.SECONDS);

    List<Phase> phases = new ArrayList<>();
    for (RunEvent e : events) {
      if (e instanceof RunEvent.TaskFinished) {
        phases.add(((RunEvent.TaskFinished) e).phase());
      }
    }
    assertEquals(
        List.of(
            Phase.SERIAL,
            Phase.SERIAL,
            Phase.SERIAL,
            Phase.PARALLEL,
            Phase.PARALLEL,
            Phase.PARALLEL),
        phases);
    assertEquals(1, outcome.phase(Phase.SERIAL).result().parallelism());
    assertEquals(2, outcome.phase(Phase.PARALLEL).result().parallelism());
    assertNotNull(outcome.analysis());
    assertInstanceOf(RunEvent.Completed.class, events.get(events.size() - 1));
  }

  @Test
  void admit_beyondMaxConcurrentRuns_isRefused_untilARunEnds() throws Exception {
    FakeKernel gated = FakeKernel.gated();
    Runner runner = runner(gated, 1);
    ActiveRun first = runner.admit(spec(RunKind.SERIAL, 1, 1), e -> {}, () -> true);
    first.start();

    RunRejectedException refused =
        assertThrows(
            RunRejectedException.class,
            () -> runner.admit(spec(RunKind.SERIAL, 1, 1), e -> {}, () -> true));
    assertEquals(RunRejectedException.Reason.AT_CAPACITY, refused.reason());
    assertTrue(refused.getMessage().contains("--max-concurrent-runs"), refused.getMessage());
    assertEquals(0, refused.getStackTrace().length, "refusals are cheap: no stack trace");

    gated.release(1);
    first.outcome().get(10, TimeUnit.SECONDS);
    ActiveRun next = runner.admit(spec(RunKind.SERIAL, 1, 1), e -> {}, () -> true);
    next.start();
    gated.release(1);
    next.outcome().get(10, TimeUnit.SECONDS);
  }

  @Test
  void draining_refusesNewRuns_withTheDrainingReason() {
    Runner runner = runner(instant, 4);
    runner.startDraining();

    RunRejectedException refused =
        assertThrows(
            RunRejectedException.class,
            () -> runner.admit(spec(RunKind.SERIAL, 1, 1), e -> {}, () -> true));

    assertEquals(RunRejectedException.Reason.DRAINING, refused.reason());
  }

  @Test
  void cancel_stopsTheRunningTask_failsTheOutcome_andFreesTheSlot() throws Exception {
    FakeKernel gated = FakeKernel.gated();
    Runner runner = runner(gated, 1);
    List<RunEvent> events = new CopyOnWriteArrayList<>();
    ActiveRun run = runner.admit(spec(RunKind.SERIAL, 1, 1, 2, 3), events::add, () -> true);
    run.start();
    assertTrue(gated.awaitStarted(1));

    run.cancel();

    assertThrows(CancellationException.class, () -> run.outcome().get(10, TimeUnit.SECONDS));
    assertEquals(1, gated.cancelled(), "the running task stopped");
    assertEquals(
        1, events.stream().filter(e -> e instanceof RunEvent.TaskStarted).count(), "no more tasks");
    assertInstanceOf(RunEvent.Failed.class, events.get(events.size() - 1));
    assertEquals(0, runner.activeRuns());
  }

  @Test
  void cancelBeforeStart_startsNoTask() throws Exception {
    Runner runner = runner(instant, 1);
    List<RunEvent> events = new CopyOnWriteArrayList<>();
    ActiveRun run = runner.admit(spec(RunKind.COMPARE, 2, 1, 2), events::add, () -> true);

    run.cancel();
    run.start();

    assertThrows(CancellationException.class, () -> run.outcome().get(10, TimeUnit.SECONDS));
    assertEquals(List.of("Accepted", "Failed"), kinds(events));
  }

  @Test
  void aCallerWithoutRoom_holdsBackTasks_untilResumed() throws Exception {
    Runner runner = runner(instant, 1);
    AtomicBoolean room = new AtomicBoolean(false);
    List<RunEvent> events = new CopyOnWriteArrayList<>();
    ActiveRun run = runner.admit(spec(RunKind.SERIAL, 1, 1, 2), events::add, room::get);

    run.start();
    assertFalse(run.outcome().isDone());
    assertEquals(List.of("Accepted"), kinds(events), "no task while the caller has no room");

    room.set(true);
    run.resume();

    run.outcome().get(10, TimeUnit.SECONDS);
    assertEquals(2, events.stream().filter(e -> e instanceof RunEvent.TaskFinished).count());
  }

  @Test
  void listeners_seeEveryRunsEvents_andOneThatThrowsHarmsNoRun() throws Exception {
    Runner runner = runner(instant, 4);
    List<RunEvent> seen = new CopyOnWriteArrayList<>();
    runner.addListener(
        e -> {
          throw new IllegalStateException("a broken watcher");
        });
    runner.addListener(seen::add);

    ActiveRun a = runner.admit(spec(RunKind.SERIAL, 1, 1), e -> {}, () -> true);
    ActiveRun b = runner.admit(spec(RunKind.PARALLEL, 2, 1, 2), e -> {}, () -> true);
    a.start();
    b.start();
    a.outcome().get(10, TimeUnit.SECONDS);
    b.outcome().get(10, TimeUnit.SECONDS);

    assertEquals(
        2, seen.stream().filter(e -> e instanceof RunEvent.Completed).count(), "both runs ended");
    assertTrue(seen.stream().anyMatch(e -> e.runId() == a.id()));
    assertTrue(seen.stream().anyMatch(e -> e.runId() == b.id()));
  }

  @Test
  void aCallerThatThrows_failsItsOwnRun_withThatCause() throws Exception {
    Runner runner = runner(instant, 4);
    IllegalStateException bug = new IllegalStateException("mapping bug");
    ActiveRun run =
        runner.admit(
            spec(RunKind.SERIAL, 1, 1, 2),
            e -> {
              if (e instanceof RunEvent.TaskFinished) {
                throw bug;
              }
            },
            () -> true);

    run.start();

    ExecutionException failed =
        assertThrows(ExecutionException.class, () -> run.outcome().get(10, TimeUnit.SECONDS));
    assertEquals(bug, failed.getCause());
    assertEquals(0, runner.activeRuns());
  }

  private static RunSpec compare(boolean exclusive, int... nums) {
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < nums.length; i++) {
      tasks.add(new Task(i, nums[i]));
    }
    return new RunSpec(
        RunKind.COMPARE,
        tasks,
        Algorithm.NAIVE,
        2,
        PoolKind.THREADS,
        null,
        exclusive,
        ScheduleKind.MEASURED_OPTIMAL);
  }

  @Test
  void compare_waitsForRunsInFlight_andRunsArrivingMeanwhileWaitForIt() throws Exception {
    FakeKernel gated = FakeKernel.gated();
    Runner runner = runner(gated, 4);
    List<String> order = new CopyOnWriteArrayList<>();
    runner.addListener(
        e -> {
          if (e instanceof RunEvent.TaskStarted
              || e instanceof RunEvent.PhaseCompleted
              || e instanceof RunEvent.Completed) {
            order.add(e.getClass().getSimpleName() + ":" + e.runId());
          }
        });
    ActiveRun inFlight = runner.admit(spec(RunKind.SERIAL, 1, 5), e -> {}, () -> true);
    inFlight.start();
    assertTrue(gated.awaitStarted(1));

    ActiveRun compare = runner.admit(compare(true, 5, 6), e -> {}, () -> true);
    compare.start();
    ActiveRun later = runner.admit(spec(RunKind.SERIAL, 1, 7), e -> {}, () -> true);
    later.start();

    // The Compare queues for the workers, and the later run queues behind it: no task of either
    // has started (the one started task is the first run's).
    assertEquals(2, runner.waitingForWorkers());
    assertEquals(1, gated.started());

    gated.release(1); // the first run ends; the Compare gets the workers alone
    inFlight.outcome().get(10, TimeUnit.SECONDS);
    assertEquals(1, runner.waitingForWorkers(), "the later run still waits for the Compare");
    gated.release(1000);
    RunOutcome measured = compare.outcome().get(10, TimeUnit.SECONDS);
    later.outcome().get(10, TimeUnit.SECONDS);

    assertTrue(measured.isolationWait().compareTo(Duration.ZERO) > 0, measured.toString());
    // The Compare's hold ends with its last phase (its Completed event may follow the later
    // run's first task: the workers are free before the outcome is published).
    String compareDone = "PhaseCompleted:" + compare.id();
    String laterStarted = "TaskStarted:" + later.id();
    assertTrue(
        order.lastIndexOf(compareDone) < order.indexOf(laterStarted),
        "the later run started after the Compare's last phase: " + order);
    assertTrue(
        order.indexOf("PhaseCompleted:" + inFlight.id())
            < order.indexOf("TaskStarted:" + compare.id()),
        "the Compare started after the run in flight ended: " + order);
  }

  @Test
  void aCompareThatLeavesWhileWaiting_leavesTheQueue_andRunsBehindItGo() throws Exception {
    FakeKernel gated = FakeKernel.gated();
    Runner runner = runner(gated, 4);
    ActiveRun inFlight = runner.admit(spec(RunKind.SERIAL, 1, 5), e -> {}, () -> true);
    inFlight.start();
    assertTrue(gated.awaitStarted(1));
    ActiveRun compare = runner.admit(compare(true, 5, 6), e -> {}, () -> true);
    compare.start();
    ActiveRun later = runner.admit(spec(RunKind.SERIAL, 1, 7), e -> {}, () -> true);
    later.start();

    compare.cancel();

    // Failed with the CancellationException itself, which get() rethrows as is.
    assertThrows(CancellationException.class, () -> compare.outcome().get(10, TimeUnit.SECONDS));
    assertTrue(gated.awaitStarted(2), "the later run shares the workers with the first one");
    assertEquals(0, runner.waitingForWorkers());
    assertEquals(2, runner.activeRuns(), "the Compare gave back its run slot");
    gated.release(2);
    inFlight.outcome().get(10, TimeUnit.SECONDS);
    later.outcome().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aSharedCompare_runsBesideRunsInFlight() throws Exception {
    FakeKernel gated = FakeKernel.gated();
    Runner runner = runner(gated, 4);
    ActiveRun inFlight = runner.admit(spec(RunKind.SERIAL, 1, 5), e -> {}, () -> true);
    inFlight.start();
    assertTrue(gated.awaitStarted(1));

    ActiveRun compare = runner.admit(compare(false, 5, 6), e -> {}, () -> true);
    compare.start();

    assertTrue(gated.awaitStarted(2), "the shared Compare's warm-up started at once");
    assertEquals(0, runner.waitingForWorkers());
    gated.release(1000);
    RunOutcome shared = compare.outcome().get(10, TimeUnit.SECONDS);
    inFlight.outcome().get(10, TimeUnit.SECONDS);
    assertFalse(shared.spec().exclusive());
  }
}
