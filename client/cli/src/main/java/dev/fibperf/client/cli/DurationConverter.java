package dev.fibperf.client.cli;

import dev.fibperf.proto.DurationText;
import java.time.Duration;
import picocli.CommandLine;

/** picocli's side of {@link DurationText}, the parser every fibperf front door shares. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String text) {
    try {
      return DurationText.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
