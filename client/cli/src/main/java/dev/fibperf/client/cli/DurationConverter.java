package dev.fibperf.client.cli;

import java.time.Duration;
import picocli.CommandLine;

/**
 * picocli's face on the server's parser: {@code 500ms}, {@code 30s}, {@code 2m} or {@code PT30S}.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String text) {
    try {
      return dev.fibperf.server.config.DurationConverter.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
