package dev.fibperf.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.CoreWaitRemoved;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.NoteKind;
import dev.fibperf.proto.v1.RoundResult;
import dev.fibperf.proto.v1.Verdict;
import dev.fibperf.server.testing.ServerProcess;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Busy-loop processes beside a 2-worker Compare of the packaged server, on a real socket: with one
 * core fewer free than the threads that want one, no round's parallel phase is clean, the Compare
 * is never clean, and what it says is the measured cause, waiting for a core.
 */
class CoreHogIT {
  @Test
  void busyLoopsBesideACompare_neverYieldClean_andTheCauseIsCoreWait() throws Exception {
    // Enough hogs that the two workers always share a core with one, however many cores.
    int hogs = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    List<Process> loops = new ArrayList<>();
    try (ServerProcess server = new ServerProcess("--workers=2")) {
      for (int i = 0; i < hogs; i++) {
        loops.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
      }
      ManagedChannel channel =
          Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
      try {
        Iterator<CompareResponse> stream =
            FibPerfServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.MINUTES)
                .compare(
                    CompareRequest.newBuilder()
                        .addAllNums(List.of(32, 32, 32, 32))
                        .setRounds(6)
                        .build());
        Comparison c = null;
        while (stream.hasNext()) {
          CompareResponse r = stream.next();
          if (r.hasComparison()) {
            c = r.getComparison();
          }
        }
        assertEquals(Verdict.VERDICT_CONTENDED, c.getVerdict(), c.toString());
        assertEquals(6, c.getRoundsCount());
        // With every round lost to core wait, the estimate with it taken out: the ratio of the
        // rounds' summed free walls, over all six, with an interval around it.
        double serialFree = 0;
        double parallelFree = 0;
        for (RoundResult round : c.getRoundsList()) {
          long wall = Durations.toNanos(round.getParallel().getWallDuration());
          long free = Durations.toNanos(round.getParallel().getFreeWallDuration());
          assertTrue(free > 0 && free <= wall, "round " + round.getRound() + ": " + round);
          serialFree += Durations.toNanos(round.getSerial().getFreeWallDuration());
          parallelFree += free;
        }
        CoreWaitRemoved removed = c.getEstimate().getCoreWaitRemoved();
        assertTrue(c.getEstimate().hasCoreWaitRemoved(), c.getEstimate().toString());
        assertEquals(6, removed.getRoundsUsed());
        assertEquals(serialFree / parallelFree, removed.getSpeedup(), 1e-9 * removed.getSpeedup());
        assertTrue(
            removed.getSpeedupLow() > 0
                && removed.getSpeedupLow() <= removed.getSpeedup()
                && removed.getSpeedup() <= removed.getSpeedupHigh(),
            removed.toString());
        assertTrue(
            c.getFindingsList().stream()
                .anyMatch(n -> n.getKind() == NoteKind.NOTE_KIND_ESTIMATE_CORE_WAIT_REMOVED),
            c.getFindingsList().toString());
        for (RoundResult round : c.getRoundsList()) {
          assertTrue(
              round.getParallel().getContended(), "round " + round.getRound() + ": " + round);
          assertTrue(
              !round.getUsed()
                  && round.getExclusion().getKind() == NoteKind.NOTE_KIND_CONTENDED_CORES,
              "round " + round.getRound() + " left out for its measured core wait: " + round);
        }
      } finally {
        channel.shutdownNow();
      }
    } finally {
      loops.forEach(Process::destroyForcibly);
    }
  }
}
