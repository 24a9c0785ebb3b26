package dev.fibperf.proto;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as fibperf's users type them, in the server's flags, the CLI's options and the SDK's
 * settings: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 90d}, or ISO-8601 {@code
 * PT10S}. One parser for every front door, so a duration that one accepts, all accept.
 */
public final class DurationText {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private DurationText() {}

  /**
   * @throws IllegalArgumentException naming the text if it is not a duration
   */
  public static Duration parse(String text) {
    String trimmed = text.trim();
    Matcher m = SIMPLE.matcher(trimmed);
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(amount);
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        case "h":
          return Duration.ofHours(amount);
        default:
          return Duration.ofDays(amount);
      }
    }
    try {
      return Duration.parse(trimmed);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration: use e.g. 500ms, 10s, 2m, 90d or PT10S");
    }
  }
}
