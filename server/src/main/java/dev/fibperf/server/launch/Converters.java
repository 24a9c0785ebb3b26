package dev.fibperf.server.launch;

import dev.fibperf.proto.DurationText;
import dev.fibperf.server.profile.Engine;
import java.time.Duration;
import picocli.CommandLine;

/** How the server's options read their values. */
final class Converters {
  private Converters() {}

  /** picocli converter for {@code --log-format}: the kind's name in any case. */
  static final class LogFormatOption implements CommandLine.ITypeConverter<LogFormat.Kind> {
    @Override
    public LogFormat.Kind convert(String value) {
      for (LogFormat.Kind kind : LogFormat.Kind.values()) {
        if (kind.name().equalsIgnoreCase(value)) {
          return kind;
        }
      }
      throw new CommandLine.TypeConversionException(
          "--log-format=" + value + " must be text or json");
    }
  }

  /** picocli converter for {@link DurationText}, the parser every front door shares. */
  static final class DurationOption implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return DurationText.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@code async-profiler} or {@code jfr}, as the flag spells them. */
  static final class EngineConverter implements CommandLine.ITypeConverter<Engine> {
    @Override
    public Engine convert(String value) {
      return switch (value) {
        case "async-profiler" -> Engine.ASYNC_PROFILER;
        case "jfr" -> Engine.JFR;
        default ->
            throw new CommandLine.TypeConversionException(
                value + " is not one of async-profiler, jfr");
      };
    }
  }
}
