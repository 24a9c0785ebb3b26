package dev.fibperf.server.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of attribution: which samples count, and how the views are ranked. */
class SampleAttributionTest {
  private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

  private static SampleAttribution.Window window(long thread, long fromMillis, long toMillis) {
    return new SampleAttribution.Window(thread, T.plusMillis(fromMillis), T.plusMillis(toMillis));
  }

  @Test
  void aSample_countsOnlyInsideAWindowOfItsOwnThread_endsIncluded() {
    Map<Long, List<SampleAttribution.Window>> windows =
        Map.of(1L, List.of(window(1, 0, 10), window(1, 20, 30)), 2L, List.of(window(2, 10, 20)));

    assertTrue(SampleAttribution.inAnyWindow(windows, 1, T.plusMillis(0)));
    assertTrue(SampleAttribution.inAnyWindow(windows, 1, T.plusMillis(10)));
    assertFalse(SampleAttribution.inAnyWindow(windows, 1, T.plusMillis(15)), "between windows");
    assertTrue(SampleAttribution.inAnyWindow(windows, 1, T.plusMillis(25)));
    assertFalse(SampleAttribution.inAnyWindow(windows, 1, T.plusMillis(31)));
    assertFalse(SampleAttribution.inAnyWindow(windows, 1, T.minusMillis(1)));
    assertTrue(SampleAttribution.inAnyWindow(windows, 2, T.plusMillis(15)));
    assertFalse(SampleAttribution.inAnyWindow(windows, 3, T.plusMillis(15)), "another thread");
  }

  @Test
  void topN_ranksByCount_thenByName_withPercentOfAllSamples() {
    List<HotMethod> top =
        SampleAttribution.topN(Map.of("b", 30L, "a", 30L, "c", 40L, "d", 1L), 101, 3);

    assertEquals(
        List.of(
            new HotMethod("c", 40, 100.0 * 40 / 101),
            new HotMethod("a", 30, 100.0 * 30 / 101),
            new HotMethod("b", 30, 100.0 * 30 / 101)),
        top);
  }
}
