package dev.fibperf.server.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fibperf.server.compute.Algorithm;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RunResult#freeWall()} worked by hand: each worker's finish less the waits for a core it
 * had inside the wall, the latest of them.
 */
class FreeWallTest {
  private static final Instant START = Instant.parse("2026-12-07T00:00:00Z");

  private final List<TaskResult> tasks = new ArrayList<>();

  /** A task on {@code worker} picked up at {@code startMs}, computing {@code ms}. */
  private void task(
      String worker, long startMs, long ms, long coreWaitMs, long wakeupMs, long handoffWaitMs) {
    tasks.add(
        new TaskResult(
            tasks.size(),
            30,
            "1",
            Duration.ofMillis(ms),
            Duration.ofMillis(ms - coreWaitMs),
            worker,
            START.plusMillis(startMs),
            Duration.ofMillis(wakeupMs),
            Duration.ZERO,
            List.of(),
            Duration.ofMillis(coreWaitMs),
            Duration.ofMillis(wakeupMs),
            Duration.ofMillis(handoffWaitMs)));
  }

  private RunResult run(long wallMs, CoreWait.Source source) {
    return new RunResult(
        tasks,
        START,
        START.plusMillis(wallMs),
        Duration.ofMillis(wallMs),
        Duration.ofMillis(tasks.stream().mapToLong(t -> t.duration().toMillis()).sum()),
        null,
        2,
        2,
        false,
        Algorithm.NAIVE,
        PoolKind.THREADS,
        Duration.ZERO,
        Duration.ZERO,
        Duration.ZERO,
        Duration.ZERO,
        source);
  }

  @Test
  void theLatestWorker_lessItsOwnWaits_setsTheFreeWall() {
    // Worker a: 0–40 ms with 10 ms of core wait, then 40–60 ms (2 ms handed off waiting).
    task("a", 0, 40, 10, 0, 0);
    task("a", 40, 18, 0, 0, 2);
    // Worker b: woken 5 ms late (all inside the wall), 5–55 ms, no other wait.
    task("b", 5, 50, 0, 5, 0);
    RunResult run = run(60, CoreWait.Source.SCHEDSTAT);
    // a: 60 - (10 + 2) = 48; b: 55 - 5 = 50.
    assertEquals(Duration.ofMillis(50), run.freeWall());
  }

  @Test
  void aWakeupBeforeTheWall_isNotTakenOut() {
    // The first task's wake-up wait came before the run's first pick-up: not inside the wall.
    task("a", 0, 30, 0, 7, 0);
    task("b", 2, 40, 4, 9, 0);
    RunResult run = run(42, CoreWait.Source.SCHEDSTAT);
    // a: 30 - 0 = 30; b: 42 - (4 + min(9, 2)) = 36.
    assertEquals(Duration.ofMillis(36), run.freeWall());
  }

  @Test
  void withoutPerThreadRunDelay_theFreeWallIsTheWall() {
    task("a", 0, 40, 10, 0, 0);
    assertEquals(Duration.ofMillis(40), run(40, CoreWait.Source.ELAPSED_MINUS_CPU).freeWall());
  }

  @Test
  void aFinishPastTheWall_isCappedAtTheWall() {
    // Rounding in the measured hand-off can put an estimated finish past the wall.
    task("a", 0, 45, 5, 0, 0);
    assertEquals(Duration.ofMillis(35), run(40, CoreWait.Source.SCHEDSTAT).freeWall());
  }
}
