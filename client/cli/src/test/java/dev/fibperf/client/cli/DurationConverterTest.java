package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The CLI reads durations with the parser the server's flags use (DurationText). */
class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void theShortFormsAndIso8601() {
    assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
    assertEquals(Duration.ofSeconds(10), converter.convert(" 10s "));
    assertEquals(Duration.ofMinutes(2), converter.convert("2m"));
    assertEquals(Duration.ofHours(1), converter.convert("1h"));
    assertEquals(Duration.ofSeconds(30), converter.convert("PT30S"));
  }

  @Test
  void anythingElse_isAUsageErrorNamingTheText() {
    CommandLine.TypeConversionException e =
        assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("10 s"));
    assertEquals("'10 s' is not a duration: use e.g. 500ms, 10s, 2m, 90d or PT10S", e.getMessage());
  }
}
