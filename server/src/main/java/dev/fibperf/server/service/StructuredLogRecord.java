package dev.fibperf.server.service;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * A log line with its facts as fields as well as in its message: the text format prints the
 * message, the JSON format (ECS) also writes each field as a top-level key, so a log shipper can
 * filter on {@code rpc.method} or {@code fibperf.run_id} without parsing the message.
 */
public final class StructuredLogRecord extends LogRecord {
  private static final long serialVersionUID = 1L;

  private final transient Map<String, String> fields;

  StructuredLogRecord(Level level, String message, Map<String, String> fields) {
    super(level, message);
    this.fields = Map.copyOf(fields);
  }

  /** ECS-style dotted names to values, e.g. {@code rpc.method=Serial}. */
  public Map<String, String> fields() {
    return fields;
  }
}
