package dev.fibperf.server.launch;

import co.elastic.logging.jul.EcsFormatter;
import dev.fibperf.server.service.StructuredLogRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The server's log line: {@code 2026-12-01T19:43:46.365Z INFO logger: message}, the time in UTC.
 * Built with a StringBuilder because the access log writes one per call: JUL's SimpleFormatter
 * (String.format, and a stack walk for the caller it then does not print) was a quarter of the
 * server's CPU per small call.
 */
public final class LogFormat extends Formatter {
  /** To the second, always UTC; milliseconds are appended by hand. */
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);

  /** The last second formatted: lines within one second share it. */
  private record Second(long epochSecond, String text) {}

  private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

  /**
   * Appends {@code time} as {@code uuuu-MM-ddTHH:mm:ss.SSSZ}: always three decimals (ISO_INSTANT
   * drops a zero fraction), always UTC. DateTimeFormatter was a tenth of the server's CPU per small
   * call, so it formats each second once (BENCHMARKS, "The per-call path").
   */
  static void appendUtcMillis(Instant time, StringBuilder out) {
    Second second = lastSecond;
    if (second.epochSecond() != time.getEpochSecond()) {
      second = new Second(time.getEpochSecond(), SECOND.format(time));
      lastSecond = second;
    }
    int millis = time.getNano() / 1_000_000;
    out.append(second.text())
        .append((char) ('0' + millis / 100))
        .append((char) ('0' + millis / 10 % 10))
        .append((char) ('0' + millis % 10))
        .append('Z');
  }

  @Override
  public String format(LogRecord record) {
    StringBuilder line = new StringBuilder(160);
    appendUtcMillis(record.getInstant(), line);
    line.append(' ')
        .append(record.getLevel().getName())
        .append(' ')
        .append(record.getLoggerName())
        .append(": ");
    Object[] parameters = record.getParameters();
    line.append(
        parameters == null || parameters.length == 0 ? record.getMessage() : formatMessage(record));
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.append(System.lineSeparator()).append(trace);
    } else {
      line.append(System.lineSeparator());
    }
    return line.toString();
  }

  /** What {@code --log-format} chooses. */
  public enum Kind {
    /** One line per record, as {@link LogFormat} writes it: for people. */
    TEXT,
    /**
     * One JSON object per line in the Elastic Common Schema ({@code @timestamp}, {@code log.level},
     * {@code log.logger}, {@code message}, {@code error.*}): for log shippers.
     */
    JSON
  }

  /**
   * Puts the chosen format on the root logger's console (JUL's default set-up), written by a thread
   * of its own ({@link BackgroundLogHandler}).
   */
  public static void install(Kind kind) {
    LogManager.getLogManager(); // reads the default configuration first
    Logger root = Logger.getLogger("");
    Formatter format = kind == Kind.JSON ? json() : new LogFormat();
    for (Handler handler : root.getHandlers()) {
      if (handler instanceof ConsoleHandler console) {
        // The same stream and level, written off the calling thread.
        BackgroundLogHandler background = new BackgroundLogHandler(System.err, format);
        background.setLevel(console.getLevel());
        root.removeHandler(console);
        root.addHandler(background);
      } else if (handler instanceof BackgroundLogHandler background) {
        background.setFormatter(format);
      }
    }
  }

  static Formatter json() {
    EcsFormatter ecs = new StructuredEcsFormatter();
    ecs.setServiceName("fibperf");
    return ecs;
  }

  /**
   * ECS lines that also carry a {@link StructuredLogRecord}'s fields as top-level keys. The
   * formatter asks for them (as its MDC) while it formats, on the formatting thread, without the
   * record: the record is handed over through that thread.
   */
  private static final class StructuredEcsFormatter extends EcsFormatter {
    private final ThreadLocal<Map<String, String>> fields = new ThreadLocal<>();

    @Override
    public String format(LogRecord record) {
      if (!(record instanceof StructuredLogRecord structured)) {
        return super.format(record);
      }
      fields.set(structured.fields());
      try {
        return super.format(record);
      } finally {
        fields.remove();
      }
    }

    @Override
    protected Map<String, String> getMdcEntries() {
      Map<String, String> f = fields.get();
      return f == null ? Map.of() : f;
    }
  }
}
