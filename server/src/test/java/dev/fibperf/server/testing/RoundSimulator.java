package dev.fibperf.server.testing;

import dev.fibperf.server.analysis.RatioInterval;
import dev.fibperf.server.analysis.RoundPolicy;
import dev.fibperf.server.analysis.RoundsAnalysis;
import dev.fibperf.server.analysis.ScheduleKind;
import dev.fibperf.server.analysis.SpeedupAnalysis;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.CoreWait;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.TaskResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Simulated Compares with a known true speedup: four equal tasks, serial on one worker and parallel
 * on two, each phase's wall time drawn from a noise model, run through the real stopping rule,
 * round verdicts and estimate ({@link RoundPolicy}, {@link SpeedupAnalysis}, {@link
 * RoundsAnalysis}) on a simulated clock.
 *
 * <p>The truth is the ratio of the expected walls, E[serial] / E[parallel]: what a user who ran the
 * two phases over and over would see. Noise a hog causes is measured (as core wait, the way the
 * scheduler reports it); other noise is not.
 */
public final class RoundSimulator {
  /** Each phase's undisturbed wall: serial 4 x 25 ms, parallel 2 x 25 ms plus 10 % overhead. */
  static final double SERIAL_NANOS = 100e6;

  static final double PARALLEL_NANOS = 55e6;

  /** The noise a phase meets. */
  public enum Noise {
    /** Each phase's wall multiplied by a lognormal factor (σ 4 %). */
    JITTER,
    /**
     * JITTER, plus in one phase of ten an unmeasured stall drawn from a Pareto distribution (shape
     * 1.5, from 2 ms: heavy-tailed, finite mean): page faults, interrupts, a frequency change.
     */
    HEAVY_TAILED_STALLS,
    /**
     * JITTER, plus in three parallel phases of ten a hog holding a core for 10–60 % of the phase:
     * the phase is longer and the workers' core wait says so.
     */
    HOG,
    /**
     * JITTER on a machine that is never free: in every parallel phase a hog holds a core for 10–60
     * % of the undisturbed phase, taking turns with both workers (each loses half of it, the phase
     * stretches by half of it), and in three serial phases of ten it holds the serial thread's core
     * for 5–30 %. Every wait is measured; no round is clean.
     */
    BUSY_MACHINE
  }

  /** One simulated Compare: its estimate and the truth it estimates. */
  public record Outcome(RoundsAnalysis analysis, double truth, int hoggedRoundsUsed) {}

  private final Noise noise;
  private final SplittableRandom random;

  public RoundSimulator(Noise noise, long seed) {
    this.noise = noise;
    this.random = new SplittableRandom(seed);
  }

  /** The true speedup under {@code noise}: the ratio of the expected phase walls. */
  public static double truth(Noise noise) {
    double jitterMean = Math.exp(SIGMA * SIGMA / 2);
    double serial = SERIAL_NANOS * jitterMean;
    double parallel = PARALLEL_NANOS * jitterMean;
    if (noise == Noise.HEAVY_TAILED_STALLS) {
      // Pareto(x_m, a) has mean a x_m / (a - 1); one phase in ten stalls.
      double stall = 0.1 * PARETO_SHAPE * STALL_MIN / (PARETO_SHAPE - 1);
      serial += stall;
      parallel += stall;
    }
    return serial / parallel;
  }

  static final double SIGMA = 0.04;
  static final double PARETO_SHAPE = 1.5;
  static final double STALL_MIN = 2e6;

  /** Runs one Compare under {@code policy} (its budget on the simulated clock). */
  public Outcome compare(RoundPolicy policy) {
    List<RoundsAnalysis.Round> rounds = new ArrayList<>();
    double spent = 0;
    int hoggedUsed = 0;
    RatioInterval previous = null;
    while (true) {
      int number = rounds.size() + 1;
      double serialWall = SERIAL_NANOS * jitter() + stall();
      RunResult serial;
      RunResult parallel;
      double hog;
      if (noise == Noise.BUSY_MACHINE) {
        hog = 0.1 + 0.5 * random.nextDouble();
        double serialWait =
            random.nextDouble() < 0.3 ? serialWall * (0.05 + 0.25 * random.nextDouble()) : 0;
        double undisturbed = PARALLEL_NANOS * jitter();
        double parallelWait = hog * undisturbed;
        serial = phase(serialWall + serialWait, 1, serialWait);
        parallel = phase(undisturbed + parallelWait / 2, 2, parallelWait);
      } else {
        hog = noise == Noise.HOG && random.nextDouble() < 0.3 ? 0.1 + 0.5 * random.nextDouble() : 0;
        // A hog holding one of the two cores for a share h of the phase stretches it by about
        // h/2 and makes the workers wait h of the (new) wall in total.
        double parallelWall = (PARALLEL_NANOS * jitter() + stall()) * (1 + hog / 2);
        serial = phase(serialWall, 1, 0);
        parallel = phase(parallelWall, 2, hog * parallelWall);
      }
      RoundsAnalysis.Round round =
          new RoundsAnalysis.Round(
              number,
              RoundsAnalysis.parallelFirst(number),
              serial,
              parallel,
              SpeedupAnalysis.of(serial, parallel, ScheduleKind.MEASURED_OPTIMAL));
      rounds.add(round);
      if (hog > 0 && round.used()) {
        hoggedUsed++;
      }
      spent += (serial.wall().toNanos() + parallel.wall().toNanos());
      RatioInterval estimate = RoundsAnalysis.speedupOf(rounds, policy.seed());
      Optional<RoundPolicy.StopReason> stop =
          policy.stopAfter(rounds.size(), Duration.ofNanos((long) spent), estimate, previous);
      previous = estimate;
      if (stop.isPresent()) {
        return new Outcome(RoundsAnalysis.of(rounds, policy, stop.get()), truth(noise), hoggedUsed);
      }
    }
  }

  private double jitter() {
    return Math.exp(SIGMA * random.nextGaussian());
  }

  private double stall() {
    if (noise != Noise.HEAVY_TAILED_STALLS || random.nextDouble() >= 0.1) {
      return 0;
    }
    return STALL_MIN / Math.pow(1 - random.nextDouble(), 1 / PARETO_SHAPE);
  }

  /**
   * A phase of four equal tasks over {@code wallNanos} on {@code workers}, whose threads waited
   * {@code coreWaitNanos} for cores in all.
   */
  public static RunResult phase(double wallNanos, int workers, double coreWaitNanos) {
    Instant start = Instant.parse("2026-12-01T00:00:00Z");
    int tasks = 4;
    long each = (long) (wallNanos * workers / tasks);
    long waitEach = (long) (coreWaitNanos / tasks);
    List<TaskResult> results = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      Duration elapsed = Duration.ofNanos(each);
      Duration cpu = Duration.ofNanos(each - waitEach);
      results.add(
          new TaskResult(
              i,
              30,
              "832040",
              elapsed,
              cpu,
              "fibperf-worker-" + (i % workers),
              start.plusNanos(each * (i / workers)),
              Duration.ZERO,
              Duration.ZERO,
              List.of(),
              Duration.ofNanos(waitEach),
              Duration.ZERO,
              Duration.ZERO));
    }
    Duration wall = Duration.ofNanos((long) wallNanos);
    Duration taskTime = Duration.ofNanos(each * tasks);
    return new RunResult(
        results,
        start,
        start.plus(wall),
        wall,
        taskTime,
        taskTime.minusNanos(waitEach * tasks),
        workers,
        workers,
        false,
        Algorithm.NAIVE,
        PoolKind.THREADS,
        Duration.ZERO,
        Duration.ZERO,
        Duration.ZERO,
        Duration.ZERO,
        CoreWait.Source.SCHEDSTAT);
  }
}
