package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fibperf.client.Algorithm;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.PoolKind;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.Schedule;
import dev.fibperf.client.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The CLI's one-sentence reading, on synthetic comparisons: each clause matches a figure. */
class PrinterTest {
  private static final RunSummary RUN =
      new RunSummary(
          List.of(),
          Instant.EPOCH,
          Instant.EPOCH,
          Duration.ZERO,
          Duration.ZERO,
          Optional.empty(),
          0,
          false,
          0,
          1,
          false,
          Algorithm.NAIVE,
          PoolKind.THREADS,
          Duration.ZERO,
          Duration.ZERO,
          Duration.ZERO,
          Duration.ZERO,
          1,
          0);

  private static Comparison comparison(
      double speedup, double ideal, double attainment, boolean proven, Verdict verdict) {
    return new Comparison(
        RUN,
        RUN,
        speedup,
        speedup / 2,
        2,
        Duration.ofMillis(100),
        Duration.ofMillis(100),
        proven,
        0,
        Duration.ofMillis(100),
        Schedule.MEASURED_OPTIMAL,
        Duration.ofMillis(100),
        ideal,
        attainment,
        verdict,
        true,
        Duration.ZERO,
        Duration.ZERO,
        List.of(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        1);
  }

  @Test
  void aCleanRunAtTheOptimum_onEvenTasks() {
    assertEquals(
        "The parallel run is as fast as the optimal schedule of these tasks; they spread evenly"
            + " over the 2 workers.",
        Printer.reading(comparison(1.98, 2.0, 0.995, true, Verdict.CLEAN)));
  }

  @Test
  void aSlowerRun_onUnevenTasks_givesBothFigures() {
    // attainment 0.8: the run took 1/0.8 - 1 = 25 % longer than the optimum.
    assertEquals(
        "The parallel run took 25% longer than the optimal schedule of these tasks; their uneven"
            + " sizes allow at most 1.50x on 2 workers.",
        Printer.reading(comparison(1.2, 1.5, 0.8, true, Verdict.CLEAN)));
  }

  @Test
  void anUnprovenOptimum_isCalledTheBestFound() {
    assertEquals(
        "The parallel run is as fast as the best schedule found of these tasks; they spread"
            + " evenly over the 2 workers.",
        Printer.reading(comparison(1.98, 2.0, 1.0, false, Verdict.CLEAN)));
  }

  @Test
  void aRunThatIsNotClean_isNotReadAsAResult() {
    assertEquals(
        "Not a clean measurement (IMPLAUSIBLE): the speedup of 3.10x says as much about the"
            + " conditions as about the tasks; see the notes.",
        Printer.reading(comparison(3.1, 2.0, 1.0, true, Verdict.IMPLAUSIBLE)));
  }
}
