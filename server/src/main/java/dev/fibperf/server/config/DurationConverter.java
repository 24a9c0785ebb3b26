package dev.fibperf.server.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations people type: {@code 500ms}, {@code 10s}, {@code 2m}, or ISO-8601 {@code PT10S}.
 */
public final class DurationConverter {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

  private DurationConverter() {}

  /**
   * @throws IllegalArgumentException naming the text if it is not a duration
   */
  public static Duration parse(String text) {
    Matcher m = SIMPLE.matcher(text.trim());
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(amount);
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        default:
          return Duration.ofHours(amount);
      }
    }
    try {
      return Duration.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration: use e.g. 500ms, 10s, 2m or PT10S");
    }
  }
}
