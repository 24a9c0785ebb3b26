package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The progress line a terminal redraws in place. */
class ProgressLineTest {
  @Test
  void wideTerminal_showsPhaseBarCountsTimeAndTheHotMethod_inExactlyTheWidth() {
    String line =
        ProgressLine.render(
            "parallel", 6, 8, Duration.ofMillis(1190), "FibKernels.naive(int) 97%", 100);

    assertEquals(99, line.length());
    assertTrue(
        line.startsWith(
            "[##################------] parallel 6/8 tasks  1.19 s  hot: FibKernels.naive(int) 97%"),
        line);
  }

  @Test
  void aShorterRedraw_overwritesAllOfALongerOne() {
    String longer = ProgressLine.render("serial", 1, 4, Duration.ofMillis(1190), "X.y() 5%", 80);
    String shorter = ProgressLine.render("serial", 2, 4, Duration.ofMillis(900), null, 80);

    assertEquals(longer.length(), shorter.length()); // no "1.19 sms" residue
    assertTrue(shorter.endsWith(" "));
  }

  @Test
  void narrowTerminal_dropsTheHotMethodThenTheBar_andNeverWraps() {
    String sixty =
        ProgressLine.render("serial", 3, 4, Duration.ofSeconds(2), "FibKernels.naive(int) 97%", 60);
    String twenty =
        ProgressLine.render("serial", 3, 4, Duration.ofSeconds(2), "FibKernels.naive(int) 97%", 20);

    assertEquals(59, sixty.length());
    assertTrue(sixty.startsWith("[##################------] serial 3/4 tasks  2.00 s"), sixty);
    assertFalse(sixty.contains("hot:"), sixty);
    assertEquals(19, twenty.length());
    assertTrue(twenty.startsWith("serial 3/4 tasks"), twenty);
  }

  @Test
  void serverChosenTasks_countWithoutABar() {
    String line = ProgressLine.render(null, 3, 0, Duration.ofMillis(500), null, 60);

    assertTrue(line.startsWith("3 tasks done  "), line);
  }
}
