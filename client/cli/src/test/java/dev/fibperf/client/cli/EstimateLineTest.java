package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fibperf.client.SpeedupEstimate;
import dev.fibperf.client.Verdict;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The CLI's one-line estimate, clean and contended. */
class EstimateLineTest {
  private static SpeedupEstimate estimate(
      int used, Optional<SpeedupEstimate.CoreWaitRemoved> removed) {
    boolean interval = used >= 5;
    return new SpeedupEstimate(
        1.84,
        interval ? OptionalDouble.of(1.79) : OptionalDouble.empty(),
        interval ? OptionalDouble.of(1.88) : OptionalDouble.empty(),
        0.97,
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        12,
        used,
        used == 12 ? "" : "core wait " + (12 - used),
        interval ? 0.0245 : 0,
        0.03,
        "BUDGET_SPENT",
        7,
        0.01,
        Duration.ofSeconds(3),
        removed,
        Optional.empty());
  }

  @Test
  void aCleanEstimate_showsItsInterval() {
    assertEquals(
        "1.84x, 95 % CI 1.79–1.88 (±2.5 %), 12 rounds (budget spent), CLEAN",
        Printer.estimate(estimate(12, Optional.empty()), Verdict.CLEAN));
  }

  @Test
  void theLevelAboveTheRounds_hasALineOfItsOwn() {
    assertEquals(
        "the next Compare here: 1.66–1.96x (95 %), from the last 10 (typical 1.81x, spread ±4.0 %)",
        Printer.across(new SpeedupEstimate.AcrossCompares(10, 1.664, 1.961, 0.0404, 1.807)));
  }

  @Test
  void aContendedEstimate_addsTheOneWithCoreWaitRemoved() {
    SpeedupEstimate.CoreWaitRemoved removed =
        new SpeedupEstimate.CoreWaitRemoved(
            1.78, OptionalDouble.of(1.70), OptionalDouble.of(1.86), 11);
    assertEquals(
        "1.84x, no interval, 12 rounds, 11 excluded: core wait 11 (budget spent), CONTENDED;"
            + " core wait removed: 1.78x, 95 % CI 1.70–1.86 (11 rounds)",
        Printer.estimate(estimate(1, Optional.of(removed)), Verdict.CONTENDED));
  }
}
