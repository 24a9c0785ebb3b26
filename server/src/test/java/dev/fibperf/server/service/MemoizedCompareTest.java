package dev.fibperf.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.KernelCache;
import dev.fibperf.proto.v1.Note;
import dev.fibperf.proto.v1.NoteKind;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.FibOracle;
import dev.fibperf.server.testing.InProcessFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sample's last step, "smarter algorithm" against "more workers": a Compare of the memoized
 * kernel reports its cache, and says the comparison timed the cache when it did.
 */
class MemoizedCompareTest {
  @Test
  void aCompareOfTheMemoizedKernel_reportsItsCache_andSaysItTimedTheCache() throws Exception {
    try (InProcessFixture f =
        new InProcessFixture(
            ServerConfig.newBuilder().workers(2).profilingEnabled(false).build())) {
      List<CompareResponse> events =
          InProcessFixture.drain(
              f.blocking.compare(
                  CompareRequest.newBuilder()
                      .setKernel("fib-memo")
                      .addAllNums(List.of(2_000, 2_000, 2_000, 2_000))
                      .setRounds(2)
                      .build()));
      Comparison c = events.get(events.size() - 1).getComparison();

      assertEquals(FibOracle.fib(2_000).toString(), c.getParallel().getResults(3).getValue());
      assertEquals("fib-memo", c.getSerial().getKernel());
      KernelCache serial = c.getSerial().getKernelCache();
      KernelCache parallel = c.getParallel().getKernelCache();
      // The serial phase of round 1 computes fib(2000) once (the warm-up reached fib(125) only)
      // and finds it three times; every later lookup is a hit.
      assertEquals(4, serial.getHits() + serial.getMisses(), serial.toString());
      assertTrue(serial.getHits() >= 3, serial.toString());
      assertEquals(1.0, parallel.getHitRate(), parallel.toString());
      assertEquals(10_000, parallel.getCapacity());
      Note warm =
          c.getFindingsList().stream()
              .filter(n -> n.getKind() == NoteKind.NOTE_KIND_CACHE_WARM)
              .findFirst()
              .orElseThrow(() -> new AssertionError(c.getFindingsList().toString()));
      assertTrue(
          warm.getText().startsWith("Warm cache: the kernel's cache answered"), warm.getText());
    }
  }
}
