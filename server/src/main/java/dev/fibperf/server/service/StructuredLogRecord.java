package dev.fibperf.server.service;

import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * A log line with its facts as fields as well as in its message: the text format prints the
 * message, the JSON format (ECS) also writes each field as a top-level key, so a log shipper can
 * filter on {@code rpc.method} or {@code fibperf.run_id} without parsing the message.
 */
public final class StructuredLogRecord extends LogRecord {
  private static final long serialVersionUID = 1L;

  /** The record's message and fields, made when a formatter first asks for either. */
  record Facts(String message, Map<String, String> fields) {}

  private final transient Supplier<Facts> source;
  private transient Facts facts;

  /**
   * @param source makes the message and fields; called at most once, on the thread that formats the
   *     record (the log's own), so the thread that logs only captures what they are made of
   */
  StructuredLogRecord(Level level, Supplier<Facts> source) {
    super(level, null);
    this.source = source;
  }

  private synchronized Facts facts() {
    if (facts == null) {
      Facts made = source.get();
      facts = new Facts(made.message(), Map.copyOf(made.fields()));
    }
    return facts;
  }

  @Override
  public String getMessage() {
    return facts().message();
  }

  /** ECS-style dotted names to values, e.g. {@code rpc.method=Serial}. */
  public Map<String, String> fields() {
    return facts().fields();
  }
}
