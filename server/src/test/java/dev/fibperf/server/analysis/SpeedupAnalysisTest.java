package dev.fibperf.server.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.CoreWait;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.TaskResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The comparison's arithmetic, verdicts and notes on synthetic runs whose figures are known
 * exactly: every note must be a true statement about the numbers beside it.
 */
class SpeedupAnalysisTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  /** A run whose tasks took these elapsed milliseconds, with {@code cpuShare} of it as CPU. */
  private static RunResult run(
      List<Integer> taskMillis,
      double cpuShare,
      long wallMillis,
      int parallelism,
      PoolKind pool,
      boolean cold) {
    List<TaskResult> results = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < taskMillis.size(); i++) {
      Duration elapsed = Duration.ofMillis(taskMillis.get(i));
      total += taskMillis.get(i);
      results.add(
          new TaskResult(
              i,
              20,
              "6765",
              elapsed,
              Duration.ofNanos(Math.round(elapsed.toNanos() * cpuShare)),
              "w",
              T0,
              Duration.ZERO,
              Duration.ofMillis(1),
              List.of(),
              Duration.ZERO,
              Duration.ZERO,
              Duration.ZERO));
    }
    return new RunResult(
        results,
        T0,
        T0.plusMillis(wallMillis),
        Duration.ofMillis(wallMillis),
        Duration.ofMillis(total),
        Duration.ofNanos(Math.round(Duration.ofMillis(total).toNanos() * cpuShare)),
        Math.min(taskMillis.size(), parallelism),
        parallelism,
        cold,
        Algorithm.NAIVE,
        pool,
        cold ? Duration.ofMillis(500) : Duration.ZERO,
        Duration.ZERO,
        Duration.ofMillis(1),
        Duration.ZERO,
        CoreWait.Source.SCHEDSTAT);
  }

  private static RunResult serial(List<Integer> taskMillis, long wallMillis) {
    return run(taskMillis, 1.0, wallMillis, 1, PoolKind.THREADS, false);
  }

  private static RunResult parallel(List<Integer> taskMillis, long wallMillis, int workers) {
    return run(taskMillis, 1.0, wallMillis, workers, PoolKind.THREADS, false);
  }

  @Test
  void evenTasks_onTwoWorkers_cleanWithBoundsFromTheMeasuredCosts() {
    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            serial(List.of(100, 100, 100, 100), 404),
            parallel(List.of(100, 100, 100, 100), 250, 2),
            ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(404.0 / 250, a.speedup(), 1e-9);
    assertEquals(404.0 / 250 / 2, a.efficiency(), 1e-9);
    assertEquals(Duration.ofMillis(200), a.lowerBound());
    assertEquals(Duration.ofMillis(200), a.optimalMakespan());
    assertTrue(a.optimalProven());
    assertEquals(Duration.ofMillis(200), a.largestFirstMakespan());
    assertEquals(2.0, a.idealSpeedup(), 1e-9);
    assertEquals(0.8, a.attainment(), 1e-9);
    assertEquals(Verdict.CLEAN, a.verdict());
    // 250 ms is 25 % longer than 200 ms, with the same CPU per task: both true, both said.
    Note behind = note(a, NoteKind.BEHIND_OPTIMUM);
    assertEquals(0.25, behind.ratio("excess"), 1e-9);
    assertTrue(behind.flag("optimal_proven"));
    assertEquals(0.0, behind.ratio("parallel_cpu_change"), 1e-9);
    assertTrue(kinds(a).stream().noneMatch(k -> k == NoteKind.UNEVEN_TASKS), a.notes()::toString);
  }

  @Test
  void threeEqualTasks_onTwoWorkers_areUneven_byTheRightPercentage() {
    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            serial(List.of(100, 100, 100), 300),
            parallel(List.of(100, 100, 100), 200, 2),
            ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(Duration.ofMillis(200), a.optimalMakespan());
    assertEquals(1.5, a.idealSpeedup(), 1e-9);
    assertEquals(1.0, a.attainment(), 1e-9);
    Note uneven = note(a, NoteKind.UNEVEN_TASKS);
    assertEquals(2, uneven.count("workers"));
    assertEquals(Duration.ofMillis(200), uneven.duration("optimal_makespan"));
    assertEquals(1.0 / 3, uneven.ratio("excess"), 1e-9);
    assertEquals(Duration.ofMillis(150), uneven.duration("even_split"));
  }

  @Test
  void largestFirst_losingToTheOptimum_isSaid_withTheScheduleFollowed() {
    // 3,3,2,2,2 on 2 workers: largest-first 3+2+2 = 7, optimal {3,3} {2,2,2} = 6.
    List<Integer> ms = List.of(300, 300, 200, 200, 200);
    SpeedupAnalysis optimal =
        SpeedupAnalysis.of(serial(ms, 1200), parallel(ms, 600, 2), ScheduleKind.MEASURED_OPTIMAL);
    SpeedupAnalysis largestFirst =
        SpeedupAnalysis.of(serial(ms, 1200), parallel(ms, 700, 2), ScheduleKind.LARGEST_FIRST);

    assertEquals(Duration.ofMillis(600), optimal.optimalMakespan());
    assertEquals(Duration.ofMillis(700), optimal.largestFirstMakespan());
    assertEquals(Duration.ofMillis(600), optimal.plannedMakespan());
    assertEquals(Duration.ofMillis(700), largestFirst.plannedMakespan());
    Note slower = note(optimal, NoteKind.LARGEST_FIRST_SLOWER);
    assertEquals(1.0 / 6, slower.ratio("excess"), 1e-9);
    assertTrue(slower.flag("optimal_proven"));
    assertEquals(Duration.ofMillis(700), slower.duration("largest_first_makespan"));
    assertEquals(Duration.ofMillis(600), slower.duration("optimal_makespan"));
    assertEquals("measured-optimal", slower.label("schedule"));
    assertEquals(
        "largest-first", note(largestFirst, NoteKind.LARGEST_FIRST_SLOWER).label("schedule"));
  }

  @Test
  void idealSpeedup_neverExceedsTheWorkers_andASpeedupAboveThemIsNotClean() {
    // Serial wall 3x the parallel wall on 2 workers: the serial phase was slowed by something.
    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            serial(List.of(100, 100), 600),
            parallel(List.of(100, 100), 200, 2),
            ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(3.0, a.speedup(), 1e-9);
    assertTrue(a.idealSpeedup() <= 2.0);
    assertEquals(Verdict.IMPLAUSIBLE, a.verdict());
    Note implausible = a.notes().get(0);
    assertEquals(NoteKind.IMPLAUSIBLE, implausible.kind());
    assertEquals(3.0, implausible.ratio("speedup"), 1e-9);
    assertEquals(2, implausible.count("workers"));
    assertEquals(0.0, implausible.ratio("serial_cpu_change"), 1e-9);
    assertEquals(0.15, implausible.ratio("unsteady_above"), 1e-9);
    assertEquals(NoteKind.READING_NOT_CLEAN, a.reading().kind());
    assertEquals("IMPLAUSIBLE", a.reading().label("verdict"));
  }

  @Test
  void aClusterPhaseThatLostAPeer_isWorkerLost_naming_theTaskAndWhy_whateverElseItMeasured() {
    RunResult lost = run(List.of(100, 100, 100), 1.0, 200, 3, PoolKind.CLUSTER, false);
    List<TaskResult> results = new ArrayList<>();
    List<String> workers =
        List.of("127.0.0.3:50051/fibperf-worker-0", "", "127.0.0.4:50051/fibperf-worker-0");
    for (TaskResult r : lost.results()) {
      results.add(
          new TaskResult(
              r.index(),
              r.n(),
              r.value(),
              r.duration(),
              r.cpuTime(),
              workers.get(r.index()),
              r.startTime(),
              r.queueWait(),
              r.handoff()));
    }
    TaskResult t = results.get(1);
    results.set(
        1,
        new TaskResult(
            t.index(),
            t.n(),
            t.value(),
            t.duration(),
            t.cpuTime(),
            "127.0.0.3:50051/fibperf-worker-0",
            t.startTime(),
            t.queueWait(),
            t.handoff(),
            List.of("peer 127.0.0.2:50051: UNAVAILABLE: io exception"),
            null,
            null,
            null));
    RunResult parallel =
        new RunResult(
            results,
            lost.startTime(),
            lost.endTime(),
            lost.wall(),
            lost.taskTime(),
            lost.cpuTime(),
            lost.workersUsed(),
            lost.parallelism(),
            false,
            lost.algorithm(),
            PoolKind.CLUSTER,
            Duration.ZERO,
            Duration.ZERO,
            Duration.ofMillis(1),
            Duration.ZERO,
            CoreWait.Source.SCHEDSTAT);

    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            serial(List.of(100, 100, 100), 300), parallel, ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(1, parallel.tasksRerun());
    assertEquals(Verdict.WORKER_LOST, a.verdict());
    Note lostNote = a.notes().get(0);
    assertEquals(NoteKind.WORKER_LOST, lostNote.kind());
    assertEquals(1, lostNote.count("tasks_rerun"));
    assertEquals(3, lostNote.count("workers"));
    assertEquals(
        "nums[1]=20 after [peer 127.0.0.2:50051: UNAVAILABLE: io exception]",
        lostNote.label("lost_tasks"));
    Note handoff = note(a, NoteKind.CLUSTER_HANDOFF);
    assertEquals(3, handoff.count("workers"));
    assertEquals(2, handoff.count("peers"));
    assertEquals(Duration.ofMillis(1), handoff.duration("handoff_per_task"));
    assertEquals(Duration.ofMillis(1), handoff.duration("serial_handoff_per_task"));
  }

  @Test
  void aPhaseWithLittleCpu_isContended_andTheNoteGivesItsShare() {
    RunResult contended = run(List.of(100, 100), 0.5, 200, 1, PoolKind.THREADS, false);
    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            contended, parallel(List.of(50, 50), 55, 2), ScheduleKind.MEASURED_OPTIMAL);

    assertTrue(contended.contended());
    assertEquals(Verdict.CONTENDED, a.verdict());
    Note starved = a.notes().get(0);
    assertEquals(NoteKind.CONTENDED_CPU, starved.kind());
    assertEquals("serial", starved.label("phase"));
    assertEquals(0.5, starved.ratio("cpu_share"), 1e-9);
  }

  @Test
  void aSerialPhaseThatUsedMoreCpu_isUnsteady_andTheSpeedupOverstated() {
    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            serial(List.of(150, 150), 300),
            parallel(List.of(100, 100), 100, 2),
            ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(Verdict.UNSTEADY, a.verdict());
    Note unsteady = a.notes().get(0);
    assertEquals(NoteKind.UNSTEADY, unsteady.kind());
    assertEquals("serial", unsteady.label("phase"));
    assertEquals(0.5, unsteady.ratio("extra_cpu"), 1e-9);
  }

  @Test
  void coldPools_andProcesses_areNamedInTheNotes_withTheirFigures() {
    RunResult serial = run(List.of(10, 10), 1.0, 20, 1, PoolKind.THREADS, true);
    RunResult parallel = run(List.of(10, 10), 1.0, 10, 2, PoolKind.PROCESSES, true);

    SpeedupAnalysis a = SpeedupAnalysis.of(serial, parallel, ScheduleKind.LARGEST_FIRST);

    List<Note> started =
        a.notes().stream().filter(n -> n.kind() == NoteKind.PHASE_STARTED_POOL).toList();
    assertEquals(2, started.size(), a.notes()::toString);
    assertEquals("serial", started.get(0).label("phase"));
    assertEquals("thread", started.get(0).label("pool"));
    assertEquals(Duration.ofMillis(500), started.get(0).duration("startup"));
    assertEquals("parallel", started.get(1).label("phase"));
    assertEquals("worker-process", started.get(1).label("pool"));
    assertEquals(Duration.ofMillis(500), started.get(1).duration("startup"));
    Note handoff = note(a, NoteKind.PROCESS_HANDOFF);
    assertEquals(Duration.ofMillis(1), handoff.duration("handoff_per_task"));
    assertEquals(Duration.ofMillis(1), handoff.duration("serial_handoff_per_task"));
  }

  @Test
  void aCleanRun_saysNothingItCannotBackWithAFigure() {
    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            serial(List.of(100, 100), 200),
            parallel(List.of(100, 100), 100, 2),
            ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(Verdict.CLEAN, a.verdict());
    assertEquals(List.of(), a.notes());
    assertEquals(NoteKind.READING_CLEAN, a.reading().kind());
    assertEquals(1.0, a.reading().ratio("attainment"), 1e-9);
    assertEquals(2.0, a.reading().ratio("ideal_speedup"), 1e-9);
  }

  @Test
  void aParallelPhaseWhoseThreadsWaitedForCores_isContended_andTheNoteNamesTheMeasuredWait() {
    RunResult quiet = parallel(List.of(100, 100), 100, 2);
    List<TaskResult> starved = new ArrayList<>();
    for (TaskResult r : quiet.results()) {
      // Each task's thread got its CPU, yet waited 4 ms for a core computing and 2 ms on waking.
      starved.add(
          new TaskResult(
              r.index(),
              r.n(),
              r.value(),
              r.duration(),
              r.cpuTime(),
              r.worker(),
              r.startTime(),
              Duration.ofMillis(2),
              r.handoff(),
              List.of(),
              Duration.ofMillis(4),
              Duration.ofMillis(2),
              Duration.ZERO));
    }
    RunResult parallel =
        new RunResult(
            starved,
            quiet.startTime(),
            quiet.endTime(),
            quiet.wall(),
            quiet.taskTime(),
            quiet.cpuTime(),
            2,
            2,
            false,
            quiet.algorithm(),
            quiet.pool(),
            Duration.ZERO,
            Duration.ZERO,
            quiet.handoffPerTask(),
            Duration.ofMillis(1),
            CoreWait.Source.SCHEDSTAT);

    SpeedupAnalysis a =
        SpeedupAnalysis.of(serial(List.of(100, 100), 200), parallel, ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(Duration.ofMillis(13), parallel.coreWait(), "2 x (4 + 2) + 1 dispatching");
    assertTrue(parallel.contended(), "13 ms of a 100 ms phase is over 5 %");
    assertEquals(Verdict.CONTENDED, a.verdict());
    Note note = a.notes().get(0);
    assertEquals(NoteKind.CONTENDED_CORES, note.kind());
    assertEquals("parallel", note.label("phase"));
    assertEquals(Duration.ofMillis(13), note.duration("core_wait"));
    assertEquals(0.13, note.ratio("core_wait_share"), 1e-9);
    assertEquals(2, note.count("workers"));
    assertEquals("schedstat", note.label("source"));
    // A wait for a core on waking is not a wait for a worker.
    assertEquals(Duration.ZERO, parallel.taskQueueWaitForWorkers());
  }

  @Test
  void aPhaseWithoutRunDelay_fallsBackToElapsedMinusCpu_andSaysSo() {
    RunResult parallel = run(List.of(100, 100), 0.8, 100, 2, PoolKind.THREADS, false);
    RunResult unmeasured =
        new RunResult(
            parallel.results(),
            parallel.startTime(),
            parallel.endTime(),
            parallel.wall(),
            parallel.taskTime(),
            parallel.cpuTime(),
            2,
            2,
            false,
            parallel.algorithm(),
            parallel.pool(),
            Duration.ZERO,
            Duration.ZERO,
            parallel.handoffPerTask(),
            Duration.ZERO,
            CoreWait.Source.ELAPSED_MINUS_CPU);
    assertEquals(Duration.ofMillis(40), unmeasured.coreWait(), "200 ms elapsed, 160 ms CPU");
    Note note =
        SpeedupAnalysis.of(
                serial(List.of(100, 100), 200), unmeasured, ScheduleKind.MEASURED_OPTIMAL)
            .notes()
            .get(0);
    assertEquals(NoteKind.CONTENDED_CORES, note.kind());
    assertEquals("elapsed minus CPU", note.label("source"));
  }

  @Test
  void aPhaseWhoseTasksWaitedForWorkers_isContended_andTheNoteSaysHowLong() {
    RunResult fair = serial(List.of(100, 100), 300);
    List<TaskResult> waited = new ArrayList<>();
    for (TaskResult r : fair.results()) {
      waited.add(
          new TaskResult(
              r.index(),
              r.n(),
              r.value(),
              r.duration(),
              r.cpuTime(),
              r.worker(),
              // The first task's wait is before the phase's clock starts; the second's is inside.
              r.startTime().plusMillis(150L * r.index()),
              Duration.ofMillis(50),
              r.handoff()));
    }
    RunResult queued =
        new RunResult(
            waited,
            fair.startTime(),
            fair.endTime(),
            fair.wall(),
            fair.taskTime(),
            fair.cpuTime(),
            1,
            1,
            false,
            fair.algorithm(),
            fair.pool(),
            Duration.ZERO,
            Duration.ZERO,
            fair.handoffPerTask(),
            Duration.ZERO,
            CoreWait.Source.SCHEDSTAT);

    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            queued, parallel(List.of(100, 100), 150, 2), ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(1.0, queued.cpuShare(), 1e-9, "every task had its core");
    assertTrue(queued.contended(), "50 ms of 300 ms waiting for workers");
    assertEquals(Verdict.CONTENDED, a.verdict());
    Note queuedNote = a.notes().get(0);
    assertEquals(NoteKind.CONTENDED_QUEUE, queuedNote.kind());
    assertEquals("serial", queuedNote.label("phase"));
    assertEquals(Duration.ofMillis(50), queuedNote.duration("queue_wait"));
    assertEquals(1.0 / 6, queuedNote.ratio("queued_share"), 1e-9);
  }

  @Test
  void aParallelPhaseWithCheaperTasks_beatsTheBound_andTheNoteSaysWhy() {
    // The same tasks took 10 % less CPU in parallel: the bound of the serial costs is beaten.
    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            serial(List.of(100, 100), 200),
            parallel(List.of(90, 90), 90, 2),
            ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(100.0 / 90, a.attainment(), 1e-9);
    Note beat = note(a, NoteKind.BEAT_OPTIMUM);
    assertEquals(100.0 / 90 - 1, beat.ratio("beat_by"), 1e-9);
    assertEquals(-0.1, beat.ratio("parallel_cpu_change"), 1e-9);
  }

  @Test
  void parallelTasksThatCostMoreCpu_forTheSameWork_areUnsteady_andTheSpeedupUnderstated() {
    // Every task had its core (CPU = elapsed), yet took 30 % more CPU in parallel.
    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            serial(List.of(100, 100), 200),
            parallel(List.of(130, 130), 130, 2),
            ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(Verdict.UNSTEADY, a.verdict());
    Note unsteady = a.notes().get(0);
    assertEquals(NoteKind.UNSTEADY, unsteady.kind());
    assertEquals("parallel", unsteady.label("phase"));
    assertEquals(0.3, unsteady.ratio("extra_cpu"), 1e-9);
  }

  /** The analysis's one note of {@code kind}. */
  private static Note note(SpeedupAnalysis a, NoteKind kind) {
    List<Note> found = a.notes().stream().filter(n -> n.kind() == kind).toList();
    assertEquals(1, found.size(), () -> kind + " in " + a.notes());
    return found.get(0);
  }

  private static List<NoteKind> kinds(SpeedupAnalysis a) {
    return a.notes().stream().map(Note::kind).toList();
  }
}
