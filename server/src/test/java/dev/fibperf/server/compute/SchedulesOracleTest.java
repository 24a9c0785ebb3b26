package dev.fibperf.server.compute;

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
}
