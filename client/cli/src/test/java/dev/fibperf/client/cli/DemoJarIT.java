package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's main-job command, run as a new user runs it: the packaged jar, no server up. Smaller
 * inputs than the demo's own keep it to seconds; what the journey prints is checked in-process by
 * {@link FibPerfCliTest}, and here that the packaged jar walks all of it.
 */
class DemoJarIT {
  @Test
  void demo_fromThePackagedJar_walksTheJourneyAndExitsZero() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of("target", "fibperf.jar").toString(),
                "demo",
                "--nums",
                "33,34,35,34")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "demo did not finish: " + out);

    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("dev.fibperf.server.compute.FibKernels.naive(int)"), out);
    assertTrue(out.contains("Compare"), out);
    assertTrue(out.contains("speedup"), out);
    assertTrue(out.contains("A better algorithm beats more cores."), out);
  }
}
