package dev.fibperf.server.analysis.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.compute.CostModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchedulesTest {
  /** Naive fib's cost for these inputs: 2*F(n+1)-1 calls. */
  private static List<Double> naiveCosts(int... nums) {
    List<Double> costs = new ArrayList<>();
    for (int n : nums) {
      costs.add(CostModel.naiveCalls(n));
    }
    return costs;
  }

  @Test
  void lowerBound_isEvenSpread_theLongestTask_orTwoTasksSharingAWorker() {
    assertEquals(5.0, Schedules.lowerBound(List.of(4.0, 3.0, 2.0, 1.0), 2));
    assertEquals(9.0, Schedules.lowerBound(List.of(9.0, 1.0), 4));
    // Three equal tasks on two workers: two share one, whatever the even split says.
    assertEquals(2.0, Schedules.lowerBound(List.of(1.0, 1.0, 1.0), 2));
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

  /** The example: largest-first is 12 % above the optimum, which is the even split. */
  @Test
  void unevenTasks_largestFirstLoses12Percent_theOptimumSplitsEvenly() {
    List<Double> costs = naiveCosts(35, 38, 38, 38, 39, 39);

    Schedules.Schedule optimal = Schedules.optimal(costs, 2);
    double largestFirst = Schedules.largestFirstMakespan(costs, 2);

    assertTrue(optimal.proven());
    // {39, 39} against {38, 38, 38, 35}: F(40)*2 - 2 against F(39)*3 + F(36) - 4 calls.
    double sum = costs.stream().mapToDouble(Double::doubleValue).sum();
    assertEquals(
        Math.max(costs.get(4) + costs.get(5), sum - costs.get(4) - costs.get(5)),
        optimal.makespan());
    assertEquals(0.0, optimal.makespan() / Schedules.lowerBound(costs, 2) - 1, 0.001);
    assertEquals(0.12, largestFirst / optimal.makespan() - 1, 0.005);
    // Followed in its start order by a shared queue, the optimal schedule is what list
    // scheduling produces.
    List<Double> inOrder = optimal.dispatchOrder().stream().map(costs::get).toList();
    assertEquals(optimal.makespan(), Schedules.listScheduleMakespan(inOrder, 2));
  }

  /** Thirty tasks of random cost on two workers (a fixed seed) are solved exactly. */
  @Test
  void thirtyRandomTasks_onTwoWorkers_areSolvedExactly() {
    Random random = new Random(42);
    for (int instance = 0; instance < 20; instance++) {
      List<Double> costs = randomCosts(random, 30);
      Schedules.Schedule s = Schedules.optimal(costs, 2);
      assertTrue(s.proven(), "instance " + instance + ": " + s);
      assertEquals(0, s.provenGap());
      assertTrue(s.makespan() <= Schedules.largestFirstMakespan(costs, 2));
    }
  }

  /**
   * On three and four workers, thirty tasks of random real cost (which no schedule splits evenly,
   * so proving one optimal means ruling out every other) are solved exactly within the default
   * budget. The budget counts work, not time, so this holds on a busy machine too.
   */
  @ParameterizedTest
  @ValueSource(ints = {3, 4})
  void thirtyRandomTasks_onThreeOrFourWorkers_areSolvedExactly(int workers) {
    Random random = new Random(42 + workers);
    for (int instance = 0; instance < 5; instance++) {
      List<Double> costs = randomCosts(random, 30);
      Schedules.Schedule s = Schedules.optimal(costs, workers);
      String where = "instance " + instance + ": " + s;
      assertTrue(s.proven(), where);
      assertEquals(0, s.provenGap());
      assertEquals(s.makespan(), s.optimumAtLeast());
      assertTrue(s.makespan() <= Schedules.largestFirstMakespan(costs, workers), where);
      assertTrue(s.makespan() >= s.lowerBound(), where);
      double[] load = new double[workers];
      for (int i = 0; i < costs.size(); i++) {
        load[s.worker()[i]] += costs.get(i);
      }
      assertEquals(s.makespan(), Arrays.stream(load).max().orElseThrow(), 1e-9 * s.makespan());
    }
  }

  /**
   * Past what the solver proves within its budget (eight workers), it returns the best schedule
   * found, never worse than largest-first, with a gap that bounds its distance from the optimum.
   */
  @Test
  void thirtyRandomTasks_onEightWorkers_getTheBestFound_withItsGap() {
    Random random = new Random(50);
    for (int instance = 0; instance < 3; instance++) {
      List<Double> costs = randomCosts(random, 30);
      Schedules.Schedule s = Schedules.optimal(costs, 8);
      assertTrue(s.makespan() <= Schedules.largestFirstMakespan(costs, 8));
      assertTrue(s.optimumAtLeast() >= s.lowerBound());
      assertTrue(s.makespan() >= s.optimumAtLeast());
      assertEquals(s.proven() ? 0 : s.makespan() / s.optimumAtLeast() - 1, s.provenGap(), 1e-12);
    }
  }

  private static List<Double> randomCosts(Random random, int n) {
    List<Double> costs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      costs.add(1e6 * (1 + 99 * random.nextDouble()));
    }
    return costs;
  }

  @Test
  void outOfBudget_returnsTheBestFound_withAProvenGap() {
    Random random = new Random(7);
    List<Double> costs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      costs.add(1 + 99 * random.nextDouble());
    }
    Schedules.Schedule s = Schedules.optimal(costs, 3, 10);

    assertTrue(!s.proven() || s.makespan() <= s.lowerBound(), s.toString());
    assertTrue(s.makespan() <= Schedules.largestFirstMakespan(costs, 3));
    assertEquals(s.makespan() / s.lowerBound() - 1, s.provenGap(), 1e-12);
  }

  @Test
  void zeroWorkers_isRejectedWithTheValue() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Schedules.lowerBound(List.of(1.0), 0));
    assertEquals("workers=0 must be at least 1", e.getMessage());
  }
}
