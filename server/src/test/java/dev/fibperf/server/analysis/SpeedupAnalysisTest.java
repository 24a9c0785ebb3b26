package dev.fibperf.server.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.TaskResult;
import java.math.BigInteger;
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
              BigInteger.valueOf(6765),
              elapsed,
              Duration.ofNanos(Math.round(elapsed.toNanos() * cpuShare)),
              "w",
              T0,
              Duration.ZERO,
              Duration.ofMillis(1)));
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
        Duration.ofMillis(1));
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
    assertTrue(
        a.notes()
            .contains(
                "The parallel phase took 25% longer than the shortest schedule of the measured costs;"
                    + " its tasks used 0% more CPU than in the serial phase."),
        a.notes().toString());
    assertTrue(a.notes().stream().noneMatch(n -> n.startsWith("Uneven")), a.notes().toString());
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
    assertTrue(
        a.notes()
            .contains(
                "Uneven tasks: the shortest schedule of the measured costs on 2 workers takes 200.00"
                    + " ms, 33% more than an even split of the work (150.00 ms)."),
        a.notes().toString());
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
    assertTrue(
        optimal
            .notes()
            .contains(
                "Largest-first would take 17% longer than the shortest schedule (700.00 ms against"
                    + " 600.00 ms); this phase followed the shortest schedule of the serial phase's"
                    + " measurements."),
        optimal.notes().toString());
    assertTrue(
        largestFirst.notes().stream()
            .anyMatch(n -> n.endsWith("this phase followed largest-first.")),
        largestFirst.notes().toString());
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
    assertEquals(
        "Not a clean measurement: a speedup of 3.00x exceeds the 2 workers. No contention was"
            + " measured, and the serial phase's tasks used 0% more CPU than the same tasks in"
            + " parallel (over 15% would be unsteady).",
        a.notes().get(0));
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
            List.of("peer 127.0.0.2:50051: UNAVAILABLE: io exception")));
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
            Duration.ofMillis(1));

    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            serial(List.of(100, 100, 100), 300), parallel, ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(1, parallel.tasksRerun());
    assertEquals(Verdict.WORKER_LOST, a.verdict());
    assertEquals(
        "Worker lost: 1 task(s) of the parallel phase ran again on another worker (nums[1]=20"
            + " after [peer 127.0.0.2:50051: UNAVAILABLE: io exception]); its wall time holds the"
            + " lost work on fewer than 3 workers, so the speedup understates what 3 workers give.",
        a.notes().get(0));
    assertTrue(
        a.notes().stream()
            .anyMatch(
                n ->
                    n.equals(
                        "The cluster pool (3 workers; the tasks ran on 2 peers) cost 1.00 ms per"
                            + " task in network hand-off (a gRPC round trip; queue wait and"
                            + " computation excluded), against 1.00 ms for the serial phase's"
                            + " threads.")),
        a.notes().toString());
  }

  @Test
  void aPhaseWithLittleCpu_isContended_andTheNoteGivesItsShare() {
    RunResult contended = run(List.of(100, 100), 0.5, 200, 1, PoolKind.THREADS, false);
    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            contended, parallel(List.of(50, 50), 55, 2), ScheduleKind.MEASURED_OPTIMAL);

    assertTrue(contended.contended());
    assertEquals(Verdict.CONTENDED, a.verdict());
    assertTrue(
        a.notes().get(0).startsWith("Contended: the serial phase's tasks got 50% of"),
        a.notes().get(0));
  }

  @Test
  void aSerialPhaseThatUsedMoreCpu_isUnsteady_andTheSpeedupOverstated() {
    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            serial(List.of(150, 150), 300),
            parallel(List.of(100, 100), 100, 2),
            ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(Verdict.UNSTEADY, a.verdict());
    assertEquals(
        "Unsteady: the same tasks used 50% more CPU in the serial phase than in the parallel one;"
            + " the machine did less work per CPU-second then (a busy host, cores that share"
            + " hardware, or code still compiling), so the speedup is overstated.",
        a.notes().get(0));
  }

  @Test
  void coldPools_andProcesses_areNamedInTheNotes_withTheirFigures() {
    RunResult serial = run(List.of(10, 10), 1.0, 20, 1, PoolKind.THREADS, true);
    RunResult parallel = run(List.of(10, 10), 1.0, 10, 2, PoolKind.PROCESSES, true);

    List<String> notes = SpeedupAnalysis.of(serial, parallel, ScheduleKind.LARGEST_FIRST).notes();

    assertTrue(
        notes.contains(
            "The serial phase started the thread pool (500.00 ms); that start-up is reported on"
                + " its own, outside the phase's wall time."),
        notes::toString);
    assertTrue(
        notes.contains(
            "The parallel phase started the worker-process pool (500.00 ms); that start-up is"
                + " reported on its own, outside the phase's wall time."),
        notes::toString);
    assertTrue(
        notes.contains(
            "Worker processes cost 1.00 ms per task in hand-off, serialisation and IPC (queue wait"
                + " and computation excluded), against 1.00 ms for the serial phase's threads."),
        notes::toString);
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
              r.startTime(),
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
            fair.handoffPerTask());

    SpeedupAnalysis a =
        SpeedupAnalysis.of(
            queued, parallel(List.of(100, 100), 150, 2), ScheduleKind.MEASURED_OPTIMAL);

    assertEquals(1.0, queued.cpuShare(), 1e-9, "every task had its core");
    assertTrue(queued.contended(), "100 ms of 300 ms waiting for workers");
    assertEquals(Verdict.CONTENDED, a.verdict());
    assertEquals(
        "Contended: the serial phase's tasks waited 100.00 ms for workers behind other calls (33%"
            + " of its wall time), so the speedup says as much about them as about the tasks.",
        a.notes().get(0));
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
    assertTrue(
        a.notes()
            .contains(
                "The parallel phase beat the shortest schedule of the serial phase's costs by 11%: its"
                    + " tasks used 10% less CPU than in the serial phase."),
        a.notes().toString());
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
    assertEquals(
        "Unsteady: the same tasks used 30% more CPU in the parallel phase than in the serial one;"
            + " the machine did less work per CPU-second then (a busy host, cores that share"
            + " hardware, or code still compiling), so the speedup is understated.",
        a.notes().get(0));
  }
}
