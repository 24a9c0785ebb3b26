package dev.fibperf.server.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The one place fibperf's findings become English: each sentence cites its note's figures, and
 * every kind renders. (Elsewhere tests read kinds and figures, never prose.)
 */
class NoteTextTest {
  private static Note readingClean(double attainment, double ideal, boolean proven) {
    return Note.of(NoteKind.READING_CLEAN)
        .ratio("attainment", attainment)
        .flag("optimal_proven", proven)
        .ratio("ideal_speedup", ideal)
        .count("workers", 2)
        .build();
  }

  @Test
  void aCleanRunAtTheOptimum_onEvenTasks() {
    assertEquals(
        "The parallel run is as fast as the optimal schedule of these tasks; they spread evenly"
            + " over the 2 workers.",
        NoteText.render(readingClean(0.995, 2.0, true)));
  }

  @Test
  void aSlowerRun_onUnevenTasks_givesBothFigures() {
    // attainment 0.8: the run took 1/0.8 - 1 = 25 % longer than the optimum.
    assertEquals(
        "The parallel run took 25% longer than the optimal schedule of these tasks; their uneven"
            + " sizes allow at most 1.50x on 2 workers.",
        NoteText.render(readingClean(0.8, 1.5, true)));
  }

  @Test
  void anUnprovenOptimum_isCalledTheBestFound() {
    assertEquals(
        "The parallel run is as fast as the best schedule found of these tasks; they spread"
            + " evenly over the 2 workers.",
        NoteText.render(readingClean(1.0, 2.0, false)));
  }

  @Test
  void aRunThatIsNotClean_isNotReadAsAResult() {
    assertEquals(
        "Not a clean measurement (IMPLAUSIBLE): the speedup of 3.10x says as much about the"
            + " conditions as about the tasks; see the notes.",
        NoteText.render(
            Note.of(NoteKind.READING_NOT_CLEAN)
                .label("verdict", "IMPLAUSIBLE")
                .ratio("speedup", 3.1)
                .build()));
  }

  @Test
  void signedChanges_sayMoreOrLess() {
    Note more =
        Note.of(NoteKind.BEHIND_OPTIMUM)
            .ratio("excess", 0.25)
            .flag("optimal_proven", true)
            .ratio("parallel_cpu_change", 0.12)
            .build();
    assertEquals(
        "The parallel phase took 25% longer than the shortest schedule of the measured costs; its"
            + " tasks used 12% more CPU than in the serial phase.",
        NoteText.render(more));
    Note less =
        Note.of(NoteKind.BEHIND_OPTIMUM)
            .ratio("excess", 0.25)
            .flag("optimal_proven", false)
            .ratio("parallel_cpu_change", -0.12)
            .build();
    assertEquals(
        "The parallel phase took 25% longer than the best schedule found of the measured costs;"
            + " its tasks used 12% less CPU than in the serial phase.",
        NoteText.render(less));
  }

  @Test
  void aWaitForCores_namesItsMeasuredCauseAndTheCoresMissing() {
    assertEquals(
        "Contended: the parallel phase's threads waited 12.00 ms for a core (schedstat; 12% of its"
            + " wall time): this machine could not give it 2 free cores, so the speedup says as"
            + " much about the other load as about the tasks.",
        NoteText.render(
            Note.of(NoteKind.CONTENDED_CORES)
                .label("phase", "parallel")
                .duration("core_wait", Duration.ofMillis(12))
                .ratio("core_wait_share", 0.12)
                .count("workers", 2)
                .label("source", "schedstat")
                .build()));
  }

  @Test
  void anEstimate_readsWithItsIntervalAndRounds() {
    assertEquals(
        "Speedup 1.84x (95% CI 1.79–1.88) from 10 clean rounds (2 excluded), attaining 97% of"
            + " the optimal schedule: clean and converged.",
        NoteText.render(
            Note.of(NoteKind.READING_ESTIMATE)
                .label("verdict", "CLEAN")
                .ratio("speedup", 1.84)
                .ratio("low", 1.79)
                .ratio("high", 1.88)
                .count("rounds_used", 10)
                .count("rounds_excluded", 2)
                .ratio("attainment", 0.97)
                .build()));
    assertEquals(
        "Contended: the cores were busy for 30% of the parallel phase; this machine could not"
            + " give 2 free cores (1 of 9 rounds clean).",
        NoteText.render(
            Note.of(NoteKind.ESTIMATE_CONTENDED)
                .ratio("core_wait_share", 0.3)
                .count("workers", 2)
                .count("rounds_used", 1)
                .count("rounds", 9)
                .build()));
  }

  @Test
  void durations_takeTheUnitThatKeepsThemShort() {
    assertEquals("812.0 us", NoteText.readable(Duration.ofNanos(812_000)));
    assertEquals("3.25 ms", NoteText.readable(Duration.ofNanos(3_250_000)));
    assertEquals("2.50 s", NoteText.readable(Duration.ofMillis(2_500)));
  }

  /** Every kind renders from the figures its javadoc lists; a missing one would throw. */
  @Test
  void everyKind_rendersFromItsDocumentedFigures() {
    Set<NoteKind> rendered = EnumSet.noneOf(NoteKind.class);
    for (NoteKind kind : NoteKind.values()) {
      Note.Builder b = Note.of(kind);
      switch (kind) {
        case WORKER_LOST ->
            b.count("tasks_rerun", 1).count("workers", 3).label("lost_tasks", "nums[1]=35");
        case CONTENDED_CPU -> b.label("phase", "serial").ratio("cpu_share", 0.5);
        case CONTENDED_CORES ->
            b.label("phase", "parallel")
                .duration("core_wait", Duration.ofMillis(12))
                .ratio("core_wait_share", 0.12)
                .count("workers", 2)
                .label("source", "schedstat");
        case CONTENDED_QUEUE ->
            b.label("phase", "parallel")
                .duration("queue_wait", Duration.ofMillis(3))
                .ratio("queued_share", 0.4);
        case ONE_SAMPLE -> b.count("rounds", 1);
        case ROUNDS_EXCLUDED ->
            b.count("excluded", 2).count("rounds", 9).label("causes", "core wait 2");
        case ESTIMATE_NOISY ->
            b.ratio("half_width", 0.052)
                .ratio("target", 0.03)
                .count("rounds_used", 8)
                .count("min_rounds", 6)
                .label("stop", "budget spent");
        case ESTIMATE_CONTENDED ->
            b.ratio("core_wait_share", 0.3)
                .count("workers", 2)
                .count("rounds_used", 1)
                .count("rounds", 9);
        case ESTIMATE_CORE_WAIT_REMOVED ->
            b.ratio("speedup", 1.8)
                .ratio("low", 1.7)
                .ratio("high", 1.9)
                .count("rounds_used", 40)
                .count("rounds", 44);
        case CACHE_WARM ->
            b.ratio("serial_hit_rate", 0.5)
                .ratio("parallel_hit_rate", 1.0)
                .count("entries", 37)
                .count("capacity", 10_000);
        case READING_ESTIMATE ->
            b.label("verdict", "CLEAN")
                .ratio("speedup", 1.84)
                .ratio("low", 1.79)
                .ratio("high", 1.88)
                .count("rounds_used", 10)
                .count("rounds_excluded", 2)
                .ratio("attainment", 0.97);
        case UNSTEADY -> b.label("phase", "parallel").ratio("extra_cpu", 0.2);
        case IMPLAUSIBLE ->
            b.ratio("speedup", 2.3)
                .count("workers", 2)
                .ratio("serial_cpu_change", 0.05)
                .ratio("unsteady_above", 0.15);
        case WARMUP_STARTED_POOLS -> b.count("pools", 2).duration("startup", Duration.ofMillis(9));
        case PHASE_STARTED_POOL ->
            b.label("phase", "parallel")
                .label("pool", "worker-process")
                .duration("startup", Duration.ofMillis(400));
        case CLUSTER_HANDOFF ->
            b.count("workers", 3)
                .count("peers", 3)
                .duration("handoff_per_task", Duration.ofMillis(1))
                .duration("serial_handoff_per_task", Duration.ofNanos(5_000));
        case PROCESS_HANDOFF ->
            b.duration("handoff_per_task", Duration.ofNanos(300_000))
                .duration("serial_handoff_per_task", Duration.ofNanos(5_000));
        case UNEVEN_TASKS ->
            b.count("workers", 2)
                .duration("optimal_makespan", Duration.ofMillis(120))
                .ratio("excess", 0.2)
                .duration("even_split", Duration.ofMillis(100));
        case SEARCH_BUDGET -> b.ratio("optimal_gap", 0.013);
        case LARGEST_FIRST_SLOWER ->
            b.ratio("excess", 0.1)
                .flag("optimal_proven", true)
                .duration("largest_first_makespan", Duration.ofMillis(110))
                .duration("optimal_makespan", Duration.ofMillis(100))
                .label("schedule", ScheduleKind.MEASURED_OPTIMAL.label());
        case BEAT_OPTIMUM ->
            b.ratio("beat_by", 0.05)
                .flag("optimal_proven", true)
                .ratio("parallel_cpu_change", -0.07);
        case BEHIND_OPTIMUM ->
            b.ratio("excess", 0.3).flag("optimal_proven", true).ratio("parallel_cpu_change", 0.1);
        case READING_NOT_CLEAN -> b.label("verdict", "CONTENDED").ratio("speedup", 0.9);
        case READING_CLEAN ->
            b.ratio("attainment", 0.9)
                .flag("optimal_proven", true)
                .ratio("ideal_speedup", 2.0)
                .count("workers", 2);
      }
      String text = NoteText.render(b.build());
      assertFalse(text.isBlank(), kind.name());
      assertFalse(text.matches("(?s).*%[-.0-9]*[sdf].*"), kind + ": " + text); // all filled
      rendered.add(kind);
    }
    assertEquals(EnumSet.allOf(NoteKind.class), rendered);
  }
}
