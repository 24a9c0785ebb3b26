package dev.fibperf.server.analysis;

import java.time.Duration;
import java.util.Locale;

/**
 * Renders a {@link Note} in English: the one place fibperf words its findings. The server sends the
 * sentence beside the note's kind and figures, so the CLI, the SDK and the dashboard all show this
 * text, and every number in it is one of the note's figures.
 */
public final class NoteText {
  private NoteText() {}

  public static String render(Note n) {
    return switch (n.kind()) {
      case WORKER_LOST ->
          format(
              "Worker lost: %d task(s) of the parallel phase ran again on another worker (%s); its"
                  + " wall time holds the lost work on fewer than %d workers, so the speedup"
                  + " understates what %d workers give.",
              n.count("tasks_rerun"),
              n.label("lost_tasks"),
              n.count("workers"),
              n.count("workers"));
      case CONTENDED_CPU ->
          format(
              "Contended: the %s phase's tasks got %.0f%% of their elapsed time as CPU; other load"
                  + " shared the cores, so the speedup says as much about it as about the tasks.",
              n.label("phase"), percent(n.ratio("cpu_share")));
      case CONTENDED_CORES ->
          format(
              "Contended: the %s phase's threads waited %s for a core (%s; %.0f%% of its wall"
                  + " time): this machine could not give it %d free cores, so the speedup says as"
                  + " much about the other load as about the tasks.",
              n.label("phase"),
              readable(n.duration("core_wait")),
              n.label("source"),
              percent(n.ratio("core_wait_share")),
              n.count("workers"));
      case ONE_SAMPLE ->
          n.count("rounds") == 1
              ? "One round: a single sample of each phase, with no interval; one timing is an"
                  + " anecdote, so ask for rounds (or leave rounds at 0) before trusting it."
              : format(
                  "Only %d clean rounds: too few for a confidence interval (it needs %d).",
                  n.count("rounds"), RatioInterval.MIN_PAIRS);
      case ROUNDS_EXCLUDED ->
          format(
              "%d of %d rounds left out of the estimate: %s.",
              n.count("excluded"), n.count("rounds"), n.label("causes"));
      case ESTIMATE_NOISY ->
          format(
              "Noisy: the 95%% interval is ±%.1f%% of the estimate after %d clean rounds (target"
                  + " ±%.1f%%, at least %d rounds); stopped: %s.",
              percent(n.ratio("half_width")),
              n.count("rounds_used"),
              percent(n.ratio("target")),
              n.count("min_rounds"),
              n.label("stop"));
      case ESTIMATE_CONTENDED ->
          format(
              "Contended: the cores were busy for %.0f%% of the parallel phase; this machine could"
                  + " not give %d free cores (%d of %d rounds clean).",
              percent(n.ratio("core_wait_share")),
              n.count("workers"),
              n.count("rounds_used"),
              n.count("rounds"));
      case ESTIMATE_CORE_WAIT_REMOVED ->
          format(
              "With each phase's measured core wait taken out, the speedup free cores would give is"
                  + " %.2fx (95%% CI %.2f–%.2f, %d of %d rounds): a model, blind to load that slows"
                  + " threads without taking their cores.",
              n.ratio("speedup"),
              n.ratio("low"),
              n.ratio("high"),
              n.count("rounds_used"),
              n.count("rounds"));
      case CACHE_WARM ->
          format(
              "Warm cache: the kernel's cache answered %.0f%% of the serial phase's lookups and"
                  + " %.0f%% of the parallel phase's (it holds %d of %d values), so the phases"
                  + " measured the cache, not the computation: this speedup says nothing about"
                  + " parallelism. Compare a kernel without a cache, or sizes it has not seen.",
              percent(n.ratio("serial_hit_rate")),
              percent(n.ratio("parallel_hit_rate")),
              n.count("entries"),
              n.count("capacity"));
      case READING_ESTIMATE ->
          format(
              "Speedup %.2fx (95%% CI %.2f–%.2f) from %d clean rounds (%d excluded), attaining"
                  + " %.0f%% of the optimal schedule: %s.",
              n.ratio("speedup"),
              n.ratio("low"),
              n.ratio("high"),
              n.count("rounds_used"),
              n.count("rounds_excluded"),
              percent(n.ratio("attainment")),
              switch (n.label("verdict")) {
                case "CLEAN" -> "clean and converged";
                case "NOISY" -> "noisy, not converged; see the notes";
                default -> "not clean (" + n.label("verdict") + "); see the notes";
              });
      case CONTENDED_QUEUE ->
          format(
              "Contended: the %s phase's tasks waited %s for a free worker, beyond any wait for a"
                  + " core (%.0f%% of its wall time): other calls held the workers, so the speedup"
                  + " says as much about them as about the tasks.",
              n.label("phase"),
              readable(n.duration("queue_wait")),
              percent(n.ratio("queued_share")));
      case UNSTEADY -> {
        boolean serial = n.label("phase").equals("serial");
        yield format(
            "Unsteady: the same tasks used %.0f%% more CPU in the %s phase than in the %s one; the"
                + " machine did less work per CPU-second then (a busy host, cores that share"
                + " hardware, or code still compiling), so the speedup is %s.",
            percent(n.ratio("extra_cpu")),
            n.label("phase"),
            serial ? "parallel" : "serial",
            serial ? "overstated" : "understated");
      }
      case IMPLAUSIBLE -> {
        double change = n.ratio("serial_cpu_change");
        yield format(
            "Not a clean measurement: a speedup of %.2fx exceeds the %d workers. No contention was"
                + " measured, and the serial phase's tasks used %.0f%% %s CPU than the same tasks"
                + " in parallel (over %.0f%% would be unsteady).",
            n.ratio("speedup"),
            n.count("workers"),
            percent(Math.abs(change)),
            change >= 0 ? "more" : "less",
            percent(n.ratio("unsteady_above")));
      }
      case WARMUP_STARTED_POOLS ->
          format(
              "The warm-up started this Compare's worker pool%s (%s), before either phase's clock"
                  + " started.",
              n.count("pools") == 1 ? "" : "s", readable(n.duration("startup")));
      case PHASE_STARTED_POOL ->
          format(
              "The %s phase started the %s pool (%s); that start-up is reported on its own, outside"
                  + " the phase's wall time.",
              n.label("phase"), n.label("pool"), readable(n.duration("startup")));
      case CLUSTER_HANDOFF ->
          format(
              "The cluster pool (%d workers; the tasks ran on %d peers) cost %s per task in network"
                  + " hand-off (a gRPC round trip; queue wait and computation excluded), against %s"
                  + " for the serial phase's threads.",
              n.count("workers"),
              n.count("peers"),
              readable(n.duration("handoff_per_task")),
              readable(n.duration("serial_handoff_per_task")));
      case PROCESS_HANDOFF ->
          format(
              "Worker processes cost %s per task in hand-off, serialisation and IPC (queue wait and"
                  + " computation excluded), against %s for the serial phase's threads.",
              readable(n.duration("handoff_per_task")),
              readable(n.duration("serial_handoff_per_task")));
      case UNEVEN_TASKS ->
          format(
              "Uneven tasks: the shortest schedule of the measured costs on %d workers takes %s,"
                  + " %.0f%% more than an even split of the work (%s).",
              n.count("workers"),
              readable(n.duration("optimal_makespan")),
              percent(n.ratio("excess")),
              readable(n.duration("even_split")));
      case SEARCH_BUDGET ->
          format(
              "The search for the shortest schedule stopped at its budget; the best found is at most"
                  + " %.1f%% above the optimum.",
              percent(n.ratio("optimal_gap")));
      case LARGEST_FIRST_SLOWER -> {
        String best = best(n);
        yield format(
            "Largest-first would take %.0f%% longer than %s (%s against %s); this phase followed"
                + " %s.",
            percent(n.ratio("excess")),
            best,
            readable(n.duration("largest_first_makespan")),
            readable(n.duration("optimal_makespan")),
            n.label("schedule").equals("measured-optimal")
                ? best + " of the serial phase's measurements"
                : "largest-first");
      }
      case BEAT_OPTIMUM ->
          format(
              "The parallel phase beat %s of the serial phase's costs by %.0f%%: its tasks used"
                  + " %.0f%% %s CPU than in the serial phase.",
              best(n),
              percent(n.ratio("beat_by")),
              percent(Math.abs(n.ratio("parallel_cpu_change"))),
              moreOrLess(n.ratio("parallel_cpu_change")));
      case BEHIND_OPTIMUM ->
          format(
              "The parallel phase took %.0f%% longer than %s of the measured costs; its tasks used"
                  + " %.0f%% %s CPU than in the serial phase.",
              percent(n.ratio("excess")),
              best(n),
              percent(Math.abs(n.ratio("parallel_cpu_change"))),
              moreOrLess(n.ratio("parallel_cpu_change")));
      case READING_NOT_CLEAN ->
          format(
              "Not a clean measurement (%s): the speedup of %.2fx says as much about the conditions"
                  + " as about the tasks; see the notes.",
              n.label("verdict"), n.ratio("speedup"));
      case READING_CLEAN -> {
        String best = n.flag("optimal_proven") ? "the optimal schedule" : "the best schedule found";
        double attainment = n.ratio("attainment");
        String attained =
            attainment >= 0.99
                ? "The parallel run is as fast as " + best + " of these tasks"
                : format(
                    "The parallel run took %.0f%% longer than %s of these tasks",
                    percent(1 / attainment - 1), best);
        long workers = n.count("workers");
        double ideal = n.ratio("ideal_speedup");
        yield attained
            + (ideal < workers * 0.99
                ? format("; their uneven sizes allow at most %.2fx on %d workers.", ideal, workers)
                : format("; they spread evenly over the %d workers.", workers));
      }
    };
  }

  // Only a proven optimum may be called the shortest.
  private static String best(Note n) {
    return n.flag("optimal_proven") ? "the shortest schedule" : "the best schedule found";
  }

  private static String moreOrLess(double change) {
    return change >= 0 ? "more" : "less";
  }

  private static double percent(double ratio) {
    return 100 * ratio;
  }

  private static String format(String template, Object... args) {
    return String.format(Locale.ROOT, template, args);
  }

  /** A duration in the unit that keeps it short: microseconds, milliseconds or seconds. */
  static String readable(Duration d) {
    double micros = d.toNanos() / 1e3;
    if (micros < 1000) {
      return format("%.1f us", micros);
    }
    return micros < 1e6 ? format("%.2f ms", micros / 1000) : format("%.2f s", micros / 1e6);
  }
}
