package dev.fibperf.server.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.compute.Algorithm;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison's arithmetic on synthetic runs whose figures are known exactly. */
class SpeedupAnalysisTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  /** A run of equal-cost tasks (naive n=20 each) taking {@code taskMillis} each. */
  private static RunResult run(
      int tasks, long taskMillis, long wallMillis, int parallelism, PoolKind pool, boolean cold) {
    List<TaskResult> results = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      results.add(
          new TaskResult(i, 20, BigInteger.valueOf(6765), Duration.ofMillis(taskMillis), "w", T0));
    }
    return new RunResult(
        results,
        T0,
        T0.plusMillis(wallMillis),
        Duration.ofMillis(wallMillis),
        Duration.ofMillis(taskMillis * tasks),
        Math.min(tasks, parallelism),
        parallelism,
        cold,
        Algorithm.NAIVE,
        pool,
        Duration.ofMillis(1));
  }

  @Test
  void evenTasks_onTwoWorkers_haveAWorkBoundOfHalfTheWork() {
    RunResult serial = run(4, 100, 400, 1, PoolKind.THREADS, false);
    RunResult parallel = run(4, 100, 250, 2, PoolKind.THREADS, false);

    SpeedupAnalysis a = SpeedupAnalysis.of(serial, parallel);

    assertEquals(1.6, a.speedup(), 1e-9);
    assertEquals(0.8, a.efficiency(), 1e-9);
    assertEquals(Duration.ofMillis(200), a.workBound());
    assertEquals(Duration.ofMillis(200), a.scheduleBound(), "even tasks schedule perfectly");
    assertEquals(0.8, a.scheduleAttainment(), 1e-9);
    assertTrue(
        a.notes().stream().anyMatch(n -> n.contains("reached 80% of its schedule bound")),
        a.notes().toString());
    assertTrue(a.notes().stream().noneMatch(n -> n.startsWith("Uneven")), a.notes().toString());
  }

  @Test
  void threeEvenTasks_onTwoWorkers_areUneven_andSaySoWithTheRightPercentage() {
    RunResult serial = run(3, 100, 300, 1, PoolKind.THREADS, false);
    RunResult parallel = run(3, 100, 200, 2, PoolKind.THREADS, false);

    SpeedupAnalysis a = SpeedupAnalysis.of(serial, parallel);

    assertEquals(Duration.ofMillis(150), a.workBound());
    assertEquals(Duration.ofMillis(200), a.scheduleBound());
    assertEquals(1.0, a.scheduleAttainment(), 1e-9);
    assertTrue(
        a.notes().stream().anyMatch(n -> n.contains("33% above the work bound")),
        a.notes().toString());
  }

  @Test
  void coldPools_andProcesses_areNamedInTheNotes() {
    RunResult serial = run(2, 10, 20, 1, PoolKind.THREADS, true);
    RunResult parallel = run(2, 10, 10, 2, PoolKind.PROCESSES, true);

    List<String> notes = SpeedupAnalysis.of(serial, parallel).notes();

    assertTrue(
        notes.stream().anyMatch(n -> n.startsWith("The serial phase created")), notes::toString);
    assertTrue(
        notes.stream().anyMatch(n -> n.contains("start-up of the worker processes")),
        notes::toString);
    assertTrue(notes.stream().anyMatch(n -> n.contains("1.00 ms per task")), notes::toString);
  }
}
