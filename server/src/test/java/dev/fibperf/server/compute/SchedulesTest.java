package dev.fibperf.server.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulesTest {
  @Test
  void workBound_isEvenSpread_butNeverBelowTheLongestTask() {
    assertEquals(5.0, Schedules.workBound(List.of(4.0, 3.0, 2.0, 1.0), 2));
    assertEquals(9.0, Schedules.workBound(List.of(9.0, 1.0), 4));
  }

  @Test
  void listSchedule_largestFirstOnTheOriginsInputs_matchesHandComputedMakespan() {
    // Costs proportional to F(n+1) for nums [36, 35, 35, 34] on 2 workers:
    // w1: 24157817 + 9227465 = 33385282, w2: 14930352 + 14930352 = 29860704.
    List<Double> costs = List.of(24_157_817.0, 14_930_352.0, 14_930_352.0, 9_227_465.0);
    assertEquals(33_385_282.0, Schedules.listScheduleMakespan(costs, 2));
  }

  @Test
  void listSchedule_badOrder_isWorseThanLargestFirst() {
    assertEquals(3.0, Schedules.listScheduleMakespan(List.of(1.0, 1.0, 2.0), 2));
    assertEquals(2.0, Schedules.listScheduleMakespan(List.of(2.0, 1.0, 1.0), 2));
  }

  @Test
  void zeroWorkers_isRejectedWithTheValue() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Schedules.workBound(List.of(1.0), 0));
    assertEquals("workers=0 must be at least 1", e.getMessage());
  }
}
