package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fibperf.client.Algorithm;
import dev.fibperf.client.PoolKind;
import dev.fibperf.client.RunInfo;
import dev.fibperf.client.RunMethod;
import dev.fibperf.client.RunState;
import dev.fibperf.client.RunWatchEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The terminal board of {@code fibperf watch}, from synthetic watch events. */
class RunBoardTest {
  private static RunInfo info(long id, RunState state, int done) {
    return new RunInfo(
        id,
        RunMethod.SERIAL,
        List.of(30, 31, 32, 33),
        Algorithm.NAIVE,
        PoolKind.THREADS,
        1,
        state,
        done,
        4,
        Optional.empty(),
        Instant.EPOCH,
        Optional.empty(),
        state == RunState.CANCELLED ? Optional.of("CANCELLED") : Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of());
  }

  private static RunWatchEvent event(RunWatchEvent.Kind kind, long id, RunInfo run) {
    return new RunWatchEvent(
        kind, id, Optional.of(RunMethod.SERIAL), Optional.ofNullable(run), Optional.empty(), 0);
  }

  @Test
  void runsInFlightShowProgress_andFinishedOnesMoveToRecent() {
    RunBoard board = new RunBoard();
    board.apply(event(RunWatchEvent.Kind.ACCEPTED, 7, info(7, RunState.RUNNING, 0)));
    board.apply(event(RunWatchEvent.Kind.TASK_FINISHED, 7, null));
    board.apply(event(RunWatchEvent.Kind.ACCEPTED, 8, info(8, RunState.RUNNING, 0)));
    board.apply(event(RunWatchEvent.Kind.FINISHED, 8, info(8, RunState.CANCELLED, 1)));

    assertEquals(
        List.of(
            "in flight (1)",
            "       7  SERIAL         [#####               ] 1/4  nums=[30, 31, 32, 33]",
            "recent (1)",
            "       8  SERIAL         CANCELLED CANCELLED  nums=[30, 31, 32, 33]"),
        board.lines());
  }
}
