package dev.fibperf.server.analysis;

import dev.fibperf.server.analysis.RoundPolicy.StopReason;
import dev.fibperf.server.exec.RunResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One estimate from a Compare's rounds: the speedup and attainment over the clean rounds, each with
 * its 95 % bootstrap interval ({@link RatioInterval}), the rounds left out and why, and a verdict
 * about the estimate rather than about any one round.
 *
 * <p>The estimator is the ratio of means (Σ serial wall / Σ parallel wall over the clean rounds):
 * in simulation (BENCHMARKS, "Choosing the estimator") it kept the interval's coverage where the
 * median of per-round ratios and their geometric mean lost it under heavy-tailed stalls, and it is
 * what a user means by "the speedup": total serial time over total parallel time.
 *
 * @param rounds every round, in the order they ran
 * @param speedup over the clean rounds; its interval is NaN with fewer than {@link
 *     RatioInterval#MIN_PAIRS} of them
 * @param attainment Σ optimal makespan / Σ parallel wall over the clean rounds, with its interval
 * @param verdict about the estimate: {@link Verdict#CLEAN} (enough clean rounds, converged), {@link
 *     Verdict#NOISY} (not converged), {@link Verdict#CONTENDED} (too few clean rounds), {@link
 *     Verdict#IMPLAUSIBLE}, or the commonest round verdict when most rounds were left out; for a
 *     single round, that round's
 * @param stop why no further round ran
 * @param policy what was asked
 * @param representative the index in {@code rounds} of the clean round whose speedup is the median
 *     (of all rounds when none is clean): the round the Compare's per-phase figures come from
 * @param notes facts about the estimate (one sample, rounds excluded, noisy, contended)
 * @param reading what the estimate means taken together
 * @param scaling with a sweep, one point per worker count from 1 to the full width; else empty
 * @param coreWaitRemoved when the verdict is {@link Verdict#CONTENDED}: the speedup with every
 *     measured wait for a core taken out of both phases ({@link RunResult#freeWall()}), over the
 *     clean rounds and those left out for waiting for a core; null otherwise
 */
public record RoundsAnalysis(
    List<Round> rounds,
    RatioInterval speedup,
    RatioInterval attainment,
    Verdict verdict,
    StopReason stop,
    RoundPolicy policy,
    int representative,
    List<Note> notes,
    Note reading,
    List<ScalingPoint> scaling,
    RatioInterval coreWaitRemoved) {
  /** The interval's confidence. */
  public static final double CONFIDENCE = 0.95;

  /**
   * One round: both phases and what they measured together.
   *
   * @param number 1 for the first
   * @param parallelFirst whether its parallel phase ran before its serial one
   * @param points with a sweep, the parallel phase at 1, 2, ... workers below {@code parallel}'s,
   *     in that order; empty otherwise
   */
  public record Round(
      int number,
      boolean parallelFirst,
      RunResult serial,
      RunResult parallel,
      SpeedupAnalysis analysis,
      List<RunResult> points) {
    public Round {
      Objects.requireNonNull(analysis, "analysis");
      points = List.copyOf(points);
    }

    /** A round without a sweep. */
    public Round(
        int number,
        boolean parallelFirst,
        RunResult serial,
        RunResult parallel,
        SpeedupAnalysis analysis) {
      this(number, parallelFirst, serial, parallel, analysis, List.of());
    }

    /**
     * Whether the estimate uses it: its own verdict is clean, or unsteady with the parallel phase
     * the one that cost more CPU. On cores that share hardware (SMT siblings, the usual cloud vCPU)
     * parallel tasks cost more CPU than serial ones, round after round: that is how parallel work
     * runs on this machine, not a disturbance, and leaving those rounds out would keep only the
     * lucky ones. A serial phase that cost more CPU than the parallel one was slowed by something
     * else (load on its core's sibling): it would inflate the speedup, so that round is left out.
     */
    public boolean used() {
      if (analysis.verdict() == Verdict.CLEAN) {
        return true;
      }
      return analysis.verdict() == Verdict.UNSTEADY
          && !analysis.notes().isEmpty()
          && analysis.notes().get(0).kind() == NoteKind.UNSTEADY
          && "parallel".equals(analysis.notes().get(0).label("phase"));
    }

    /** Why the estimate leaves it out (its verdict note), or null when it is used. */
    public Note exclusion() {
      if (used()) {
        return null;
      }
      return analysis.notes().isEmpty() ? null : analysis.notes().get(0);
    }
  }

  public RoundsAnalysis {
    rounds = List.copyOf(rounds);
    notes = List.copyOf(notes);
    scaling = List.copyOf(scaling);
  }

  /**
   * The parallel phase on {@code workers} workers against the serial phase, over the used rounds
   * whose phase at this width was not contended.
   *
   * @param serialFraction Karp and Flatt's experimentally determined serial fraction, (1/s - 1/p) /
   *     (1 - 1/p); 0 for one worker
   */
  public record ScalingPoint(int workers, RatioInterval speedup, double serialFraction) {}

  /** The scaling curve of {@code rounds} (empty without a sweep). */
  static List<ScalingPoint> scaling(List<Round> rounds, long seed) {
    if (rounds.isEmpty() || rounds.get(0).points().isEmpty()) {
      return List.of();
    }
    int full = rounds.get(0).parallel().parallelism();
    List<ScalingPoint> points = new ArrayList<>();
    for (int p = 1; p <= full; p++) {
      int width = p;
      List<Round> kept =
          rounds.stream()
              .filter(Round::used)
              .filter(r -> width == full || !r.points().get(width - 1).contended())
              .toList();
      RatioInterval speedup =
          RatioInterval.of(
              kept.stream().mapToDouble(r -> r.serial().wall().toNanos()).toArray(),
              kept.stream()
                  .mapToDouble(
                      r ->
                          Math.max(
                              1,
                              (width == full ? r.parallel() : r.points().get(width - 1))
                                  .wall()
                                  .toNanos()))
                  .toArray(),
              CONFIDENCE,
              seed + 1 + width);
      double s = speedup.estimate();
      double fraction = width == 1 || !(s > 0) ? 0 : (1 / s - 1.0 / width) / (1 - 1.0 / width);
      points.add(new ScalingPoint(width, speedup, fraction));
    }
    return points;
  }

  /** Whether round {@code number} (1-based) runs its parallel phase first: ABBA order. */
  public static boolean parallelFirst(int number) {
    return number % 2 == 0;
  }

  /** The speedup interval so far, over the clean rounds: what the stopping rule reads. */
  public static RatioInterval speedupOf(List<Round> rounds, long seed) {
    List<Round> used = rounds.stream().filter(Round::used).toList();
    return RatioInterval.of(
        used.stream().mapToDouble(r -> r.serial().wall().toNanos()).toArray(),
        used.stream().mapToDouble(r -> Math.max(1, r.parallel().wall().toNanos())).toArray(),
        CONFIDENCE,
        seed);
  }

  public static RoundsAnalysis of(List<Round> rounds, RoundPolicy policy, StopReason stop) {
    if (rounds.isEmpty()) {
      throw new IllegalArgumentException("no rounds");
    }
    List<Round> used = rounds.stream().filter(Round::used).toList();
    RatioInterval speedup = speedupOf(rounds, policy.seed());
    RatioInterval attainment =
        RatioInterval.of(
            used.stream().mapToDouble(r -> r.analysis().optimalMakespan().toNanos()).toArray(),
            used.stream().mapToDouble(r -> Math.max(1, r.parallel().wall().toNanos())).toArray(),
            CONFIDENCE,
            policy.seed() + 1);
    int workers = rounds.get(0).analysis().workers();
    List<Note> notes = new ArrayList<>();
    Verdict verdict;
    Note reading;
    int representative = representative(rounds);
    RatioInterval coreWaitRemoved = null;
    if (rounds.size() == 1) {
      SpeedupAnalysis only = rounds.get(0).analysis();
      notes.add(Note.of(NoteKind.ONE_SAMPLE).count("rounds", 1).build());
      return new RoundsAnalysis(
          rounds,
          speedup,
          attainment,
          only.verdict(),
          stop,
          policy,
          0,
          notes,
          only.reading(),
          scaling(rounds, policy.seed()),
          null);
    }
    int excluded = rounds.size() - used.size();
    if (excluded > 0) {
      notes.add(
          Note.of(NoteKind.ROUNDS_EXCLUDED)
              .count("excluded", excluded)
              .count("rounds", rounds.size())
              .label("causes", causes(rounds))
              .build());
    }
    boolean enoughClean =
        used.size() >= RatioInterval.MIN_PAIRS && used.size() * 2 >= rounds.size();
    if (!enoughClean) {
      verdict = commonestExclusion(rounds);
      if (verdict == Verdict.NOISY) {
        notes.add(Note.of(NoteKind.ONE_SAMPLE).count("rounds", used.size()).build());
      }
      if (verdict == Verdict.CONTENDED) {
        notes.add(
            Note.of(NoteKind.ESTIMATE_CONTENDED)
                .ratio("core_wait_share", meanParallelCoreWaitShare(rounds))
                .count("workers", workers)
                .count("rounds_used", used.size())
                .count("rounds", rounds.size())
                .build());
        coreWaitRemoved = coreWaitRemoved(rounds, policy.seed());
        if (!(coreWaitRemoved.estimate() <= workers * SpeedupAnalysis.IMPLAUSIBLE_ABOVE)) {
          // Phases too short for their waits to be taken out (a cache's hits, microseconds long):
          // a figure above what the workers allow is no estimate.
          coreWaitRemoved = null;
        } else if (coreWaitRemoved.hasInterval()) {
          notes.add(
              Note.of(NoteKind.ESTIMATE_CORE_WAIT_REMOVED)
                  .ratio("speedup", coreWaitRemoved.estimate())
                  .ratio("low", coreWaitRemoved.low())
                  .ratio("high", coreWaitRemoved.high())
                  .count("rounds_used", coreWaitRemoved.pairs())
                  .count("rounds", rounds.size())
                  .build());
        }
      }
    } else if (speedup.estimate() > workers * SpeedupAnalysis.IMPLAUSIBLE_ABOVE) {
      verdict = Verdict.IMPLAUSIBLE;
    } else if (used.size() >= RoundPolicy.MIN_CLEAN_ROUNDS
        && speedup.relativeHalfWidth() <= policy.targetPrecision()) {
      verdict = Verdict.CLEAN;
    } else {
      verdict = Verdict.NOISY;
      notes.add(
          Note.of(NoteKind.ESTIMATE_NOISY)
              .ratio("half_width", speedup.relativeHalfWidth())
              .ratio("target", policy.targetPrecision())
              .count("rounds_used", used.size())
              .count("min_rounds", RoundPolicy.MIN_CLEAN_ROUNDS)
              .label("stop", stop.label())
              .build());
    }
    if (speedup.hasInterval() && enoughClean) {
      reading =
          Note.of(NoteKind.READING_ESTIMATE)
              .label("verdict", verdict.name())
              .ratio("speedup", speedup.estimate())
              .ratio("low", speedup.low())
              .ratio("high", speedup.high())
              .count("rounds_used", used.size())
              .count("rounds_excluded", excluded)
              .ratio("attainment", attainment.estimate())
              .build();
    } else {
      reading =
          Note.of(NoteKind.READING_NOT_CLEAN)
              .label("verdict", verdict.name())
              .ratio("speedup", rounds.get(representative).analysis().speedup())
              .build();
    }
    return new RoundsAnalysis(
        rounds,
        speedup,
        attainment,
        verdict,
        stop,
        policy,
        representative,
        notes,
        reading,
        scaling(rounds, policy.seed()),
        coreWaitRemoved);
  }

  /**
   * The speedup with each phase's measured core wait taken out, over the rounds whose only fault
   * was waiting for cores (and the clean ones): a round left out for a slowed serial phase, an
   * implausible speedup, a queue behind other calls or a lost worker stays out, since no core wait
   * explains it.
   */
  static RatioInterval coreWaitRemoved(List<Round> rounds, long seed) {
    List<Round> kept =
        rounds.stream()
            .filter(
                r ->
                    r.used()
                        || (r.exclusion() != null
                            && (r.exclusion().kind() == NoteKind.CONTENDED_CORES
                                || r.exclusion().kind() == NoteKind.CONTENDED_CPU)))
            .toList();
    return RatioInterval.of(
        kept.stream().mapToDouble(r -> r.serial().freeWall().toNanos()).toArray(),
        kept.stream().mapToDouble(r -> Math.max(1, r.parallel().freeWall().toNanos())).toArray(),
        CONFIDENCE,
        seed - 1);
  }

  /** The clean round with the median speedup (of all rounds when none is clean). */
  private static int representative(List<Round> rounds) {
    List<Round> pool =
        rounds.stream().anyMatch(Round::used)
            ? rounds.stream().filter(Round::used).toList()
            : rounds;
    List<Round> sorted =
        pool.stream().sorted(Comparator.comparingDouble(r -> r.analysis().speedup())).toList();
    return rounds.indexOf(sorted.get((sorted.size() - 1) / 2));
  }

  /** "core wait 2, unsteady 1": the excluded rounds per cause, commonest first. */
  public static String causes(List<Round> rounds) {
    Map<String, Long> counts =
        rounds.stream()
            .filter(r -> !r.used())
            .collect(
                Collectors.groupingBy(
                    RoundsAnalysis::cause, LinkedHashMap::new, Collectors.counting()));
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /** The measured cause of a round's exclusion, in a few words. */
  static String cause(Round round) {
    Note why = round.exclusion();
    if (why == null) {
      return round.analysis().verdict().name().toLowerCase(java.util.Locale.ROOT);
    }
    return switch (why.kind()) {
      case CONTENDED_CORES -> "core wait";
      case CONTENDED_CPU -> "CPU share";
      case CONTENDED_QUEUE -> "behind other calls";
      case UNSTEADY -> "serial phase slowed";
      case IMPLAUSIBLE -> "implausible";
      case WORKER_LOST -> "worker lost";
      default -> why.kind().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static Verdict commonestExclusion(List<Round> rounds) {
    Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
    for (Round r : rounds) {
      if (!r.used()) {
        counts.merge(r.analysis().verdict(), 1, Integer::sum);
      }
    }
    // A run with too few rounds to exclude any (two clean rounds) is noisy, not contended.
    return counts.entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElse(Verdict.NOISY);
  }

  /** The mean of the rounds' parallel-phase core-wait shares: how busy the cores were. */
  public static double meanParallelCoreWaitShare(List<Round> rounds) {
    return rounds.stream().mapToDouble(r -> r.parallel().coreWaitShare()).average().orElse(0);
  }
}
