package dev.fibperf.server.analysis.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The schedule solver against brute force on thousands of random instances (seeded: the same
 * instances every run, and a failure names its seed and instance).
 */
class SchedulesOracleTest {
  private static final int INSTANCES = 1500;

  /** The optimum by trying every assignment of tasks to workers. */
  static double bruteForceOptimum(List<Double> costs, int workers) {
    int n = costs.size();
    long assignments = (long) Math.pow(workers, n);
    double best = n == 0 ? 0 : Double.MAX_VALUE;
    double[] load = new double[workers];
    for (long code = 0; code < assignments && n > 0; code++) {
      Arrays.fill(load, 0);
      long c = code;
      for (int i = 0; i < n; i++) {
        load[(int) (c % workers)] += costs.get(i);
        c /= workers;
      }
      double makespan = 0;
      for (double l : load) {
        makespan = Math.max(makespan, l);
      }
      best = Math.min(best, makespan);
    }
    return best;
  }

  /**
   * @param integers small integer costs (many ties, which the symmetry rules must not get wrong)
   *     rather than real ones (as measured CPU times are)
   */
  @ParameterizedTest(name = "{0} workers, up to {1} tasks, integers {2}")
  @CsvSource({
    "1, 6, false",
    "2, 9, false",
    "2, 9, true",
    "3, 8, false",
    "3, 8, true",
    "4, 7, false",
    "4, 7, true"
  })
  void optimal_equalsBruteForce_andSitsBetweenTheBoundAndLargestFirst(
      int workers, int maxTasks, boolean integers) {
    Random random = new Random(31L * workers + maxTasks + (integers ? 7 : 0));
    for (int instance = 0; instance < INSTANCES; instance++) {
      List<Double> costs = new ArrayList<>();
      int n = random.nextInt(maxTasks + 1);
      for (int i = 0; i < n; i++) {
        costs.add(integers ? 1 + random.nextInt(12) : 0.001 + 1000 * random.nextDouble());
      }
      String where = "instance " + instance + ": " + costs;
      Schedules.Schedule s = Schedules.optimal(costs, workers);
      double oracle = bruteForceOptimum(costs, workers);
      double tolerance = 1e-9 * Math.max(1, oracle);

      assertTrue(s.proven(), where);
      assertEquals(oracle, s.makespan(), tolerance, where);
      assertTrue(Schedules.lowerBound(costs, workers) <= s.makespan() + tolerance, where);
      assertTrue(s.makespan() <= Schedules.largestFirstMakespan(costs, workers) + tolerance, where);
      // The assignment is the schedule claimed, and its start order reproduces it on a queue.
      double[] load = new double[workers];
      for (int i = 0; i < n; i++) {
        load[s.worker()[i]] += costs.get(i);
      }
      assertEquals(s.makespan(), Arrays.stream(load).max().orElse(0), tolerance, where);
      List<Double> inOrder = s.dispatchOrder().stream().map(costs::get).toList();
      assertEquals(
          s.makespan(), Schedules.listScheduleMakespan(inOrder, workers), tolerance, where);
    }
  }

  /**
   * Recursive number partitioning on its own (the branch and bound proves instances this small
   * before {@link Schedules#optimal} would hand them on), starting from the largest-first schedule.
   */
  @ParameterizedTest(name = "{0} workers, up to {1} tasks, integers {2}")
  @CsvSource({
    "3, 10, false",
    "3, 10, true",
    "4, 8, false",
    "4, 8, true",
    "5, 7, false",
    "5, 7, true",
    "6, 7, false"
  })
  void recursivePartitioning_equalsBruteForce(int workers, int maxTasks, boolean integers) {
    Random random = new Random(17L * workers + maxTasks + (integers ? 5 : 0));
    for (int instance = 0; instance < INSTANCES / 3; instance++) {
      int n = random.nextInt(maxTasks + 1);
      double[] descending = new double[n];
      List<Double> costs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        descending[i] = integers ? 1 + random.nextInt(12) : 0.001 + 1000 * random.nextDouble();
      }
      Arrays.sort(descending);
      for (int i = n - 1; i >= 0; i--) {
        costs.add(descending[i]);
      }
      for (int i = 0; i < n; i++) {
        descending[i] = costs.get(i);
      }
      String where = "instance " + instance + ": " + costs;
      double oracle = bruteForceOptimum(costs, workers);
      double tolerance = 1e-9 * Math.max(1, oracle);
      double largestFirst = Schedules.largestFirstMakespan(costs, workers);

      RecursivePartition.Outcome outcome =
          RecursivePartition.solve(
              descending,
              workers,
              largestFirst,
              Schedules.lowerBound(costs, workers),
              Long.MAX_VALUE);

      assertTrue(outcome.proven(), where);
      assertEquals(oracle, outcome.makespan(), tolerance, where);
      assertEquals(outcome.makespan(), outcome.optimumAtLeast(), tolerance, where);
      if (outcome.worker() == null) {
        assertEquals(largestFirst, oracle, tolerance, where); // the incumbent was the optimum
      } else {
        double[] load = new double[workers];
        for (int i = 0; i < n; i++) {
          load[outcome.worker()[i]] += costs.get(i);
        }
        assertEquals(outcome.makespan(), Arrays.stream(load).max().orElse(0), tolerance, where);
      }
    }
  }

  /** Out of budget, it claims no proof, and what it does claim is true. */
  @ParameterizedTest(name = "budget {0}")
  @CsvSource({"0", "1", "5", "50"})
  void recursivePartitioning_outOfBudget_claimsOnlyWhatItProved(long budget) {
    Random random = new Random(budget);
    for (int instance = 0; instance < 200; instance++) {
      int n = 9;
      List<Double> costs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        costs.add(0.001 + 1000 * random.nextDouble());
      }
      costs.sort(java.util.Comparator.reverseOrder());
      double[] descending = costs.stream().mapToDouble(Double::doubleValue).toArray();
      String where = "instance " + instance + ": " + costs;
      double oracle = bruteForceOptimum(costs, 3);
      double largestFirst = Schedules.largestFirstMakespan(costs, 3);

      RecursivePartition.Outcome outcome =
          RecursivePartition.solve(
              descending, 3, largestFirst, Schedules.lowerBound(costs, 3), budget);

      assertTrue(outcome.optimumAtLeast() <= oracle * (1 + 1e-12), where);
      assertTrue(outcome.makespan() >= oracle * (1 - 1e-12), where);
      assertTrue(outcome.makespan() <= largestFirst, where);
      if (outcome.proven()) {
        assertEquals(oracle, outcome.makespan(), 1e-9 * oracle, where);
      }
    }
  }
}
