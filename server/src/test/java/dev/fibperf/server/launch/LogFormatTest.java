package dev.fibperf.server.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The log's hand-made timestamps against the JDK's formatter, the oracle they replace. */
class LogFormatTest {
  private static final DateTimeFormatter ORACLE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void timestamps_matchDateTimeFormatter_withinASecondAndAcrossSeconds() {
    Random random = new Random(42);
    Instant base = Instant.parse("2026-12-07T01:59:59.000Z");
    for (int i = 0; i < 100_000; i++) {
      // Runs of lines in one second, jumps back and forth, and whole-second and sub-ms times.
      Instant t =
          i % 1000 == 0
              ? Instant.ofEpochSecond(random.nextInt(2_000_000_000), random.nextInt(1_000_000_000))
              : base.plusNanos(
                  (long) random.nextInt(3) * 1_000_000_000L + random.nextInt(1_000_000_000));
      StringBuilder line = new StringBuilder();
      LogFormat.appendUtcMillis(t, line);
      assertEquals(ORACLE.format(t), line.toString(), t.toString());
    }
  }
}
