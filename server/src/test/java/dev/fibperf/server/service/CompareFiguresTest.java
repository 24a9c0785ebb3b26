package dev.fibperf.server.service;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.Note;
import dev.fibperf.proto.v1.NoteKind;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.proto.v1.Verdict;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.InProcessFixture;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compare's figures on a real kernel, in the two situations that used to produce impossible
 * speedups: a fresh server's first Compare, and a Compare behind another call. Whatever the load on
 * the machine, the result is clean or says why not; it never shows an impossible speedup as clean.
 */
class CompareFiguresTest {
  private static final List<Integer> NUMS = List.of(30, 31, 32, 31);

  /** The invariants every Compare must keep, clean or not. */
  static void assertTruthful(Comparison c) {
    int workers = c.getWorkers();
    assertEquals(2, workers);
    assertTrue(c.getIdealSpeedup() <= workers + 1e-9, "ideal above the workers: " + c);
    assertTrue(
        Durations.compare(c.getLowerBound(), c.getOptimalMakespan()) <= 0
            && Durations.compare(c.getOptimalMakespan(), c.getLargestFirstMakespan()) <= 0,
        "lower <= optimal <= largest-first: " + c);
    if (c.getVerdict() == Verdict.VERDICT_CLEAN) {
      assertTrue(c.getSpeedup() <= workers * 1.02, "a clean speedup within the workers: " + c);
      assertTrue(
          c.getSerial().getCpuShare() >= 0.9 && c.getParallel().getCpuShare() >= 0.9, c.toString());
      assertTrue(
          c.getFindingsList().stream()
              .map(Note::getKind)
              .noneMatch(k -> k.name().startsWith("NOTE_KIND_CONTENDED")),
          c.toString());
      assertEquals(NoteKind.NOTE_KIND_READING_CLEAN, c.getReading().getKind());
    } else {
      assertTrue(!c.getFindingsList().isEmpty(), "a verdict other than clean says why: " + c);
      assertEquals(NoteKind.NOTE_KIND_READING_NOT_CLEAN, c.getReading().getKind());
    }
    assertEquals(
        c.getFindingsList().stream().map(Note::getText).toList(),
        c.getNotesList(),
        "the deprecated notes are the findings' texts");
    for (RunSummary phase : List.of(c.getSerial(), c.getParallel())) {
      assertEquals(
          Timestamps.between(phase.getStartTime(), phase.getEndTime()), phase.getWallDuration());
    }
  }

  @Test
  void aFreshServersFirstCompare_isCleanOrFlagged_andPaysStartUpOutsideItsPhases()
      throws Exception {
    try (InProcessFixture fx = new InProcessFixture(ServerConfig.newBuilder().workers(2).build())) {
      List<CompareResponse> events =
          drain(
              fx.blocking.compare(
                  CompareRequest.newBuilder().setRounds(1).addAllNums(NUMS).build()));
      Comparison c = events.get(events.size() - 1).getComparison();

      assertTruthful(c);
      assertTrue(Durations.toNanos(c.getWarmup()) > 0, "the kernel was warmed first: " + c);
      // The pool started during the warm-up: neither phase's clock holds its start-up.
      assertTrue(!c.getSerial().getPoolCold() && !c.getParallel().getPoolCold(), c.toString());
      assertTrue(
          c.getFindingsList().stream()
              .anyMatch(n -> n.getKind() == NoteKind.NOTE_KIND_WARMUP_STARTED_POOLS),
          c.getFindingsList()::toString);
    }
  }

  @Test
  void aCompareBehindAnotherCall_waitsForIt_andMeasuresAlone() throws Exception {
    try (InProcessFixture fx = new InProcessFixture(ServerConfig.newBuilder().workers(2).build())) {
      Iterator<ParallelResponse> other =
          fx.blocking.parallel(ParallelRequest.newBuilder().addAllNums(List.of(36, 36)).build());
      assertTrue(other.next().hasTaskStarted(), "the other call holds a worker");

      List<CompareResponse> events =
          drain(
              fx.blocking.compare(
                  CompareRequest.newBuilder().setRounds(1).addAllNums(NUMS).build()));
      List<ParallelResponse> rest = drain(other);
      Comparison c = events.get(events.size() - 1).getComparison();
      RunSummary otherRun = rest.get(rest.size() - 1).getSummary();

      assertTruthful(c);
      assertTrue(Durations.toNanos(c.getIsolationWait()) > 0, c.toString());
      // On the server's one clock: the Compare's serial phase began after the other call ended.
      assertTrue(
          Timestamps.compare(c.getSerial().getStartTime(), otherRun.getEndTime()) >= 0,
          "serial phase " + c.getSerial().getStartTime() + " vs other " + otherRun.getEndTime());
    }
  }
}
