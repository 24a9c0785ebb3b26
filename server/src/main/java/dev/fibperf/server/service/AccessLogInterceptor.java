package dev.fibperf.server.service;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes one line per fibperf call when it ends: method, tasks asked for, status, duration and, for
 * a failure, its message. A call the client cancelled (or whose deadline passed) never gets a
 * server status, so that is logged when gRPC reports the cancellation.
 */
public final class AccessLogInterceptor implements ServerInterceptor {
  // Logged under the service's name: operators filter on it. JUL itself, with the source given,
  // so writing a line per call costs no stack walk.
  private static final Logger LOG = Logger.getLogger(FibPerfService.class.getName());

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Entry entry =
        new Entry(
            call.getMethodDescriptor().getServiceName(),
            call.getMethodDescriptor().getBareMethodName());
    ServerCall<Q, R> logged =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(Metadata headers) {
            entry.runId(headers.get(RunIdHeader.KEY));
            super.sendHeaders(headers);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            // The status first, the line after: formatting and writing it (a write to the log's
            // file) then overlaps the trailers' trip instead of delaying them (BENCHMARKS, "The
            // per-call path").
            super.close(status, trailers);
            entry.write(status);
          }
        };
    return new SimpleForwardingServerCallListener<>(next.startCall(logged, headers)) {
      @Override
      public void onMessage(Q message) {
        entry.request(message);
        super.onMessage(message);
      }

      @Override
      public void onCancel() {
        entry.write(
            entry.deadlineExpired()
                ? Status.DEADLINE_EXCEEDED.withDescription("deadline passed; run stopped")
                : Status.CANCELLED.withDescription("cancelled by the client; run stopped"));
        super.onCancel();
      }
    };
  }

  private static final Refusals REFUSALS = new Refusals();

  /**
   * Refusals, logged as one line per {@link #EVERY} with their count rather than one per call: a
   * refusal must stay cheap, and a flood of them must not flood the log. Metrics count each one.
   */
  static final class Refusals {
    static final long EVERY = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private final java.util.concurrent.atomic.AtomicLong pending =
        new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong lastLogged =
        new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - EVERY);

    void count(String method, Status status) {
      pending.incrementAndGet();
      long last = lastLogged.get();
      long now = System.nanoTime();
      if (now - last >= EVERY && lastLogged.compareAndSet(last, now)) {
        long n = pending.getAndSet(0);
        LOG.logp(
            Level.INFO,
            FibPerfService.class.getName(),
            method,
            "refused "
                + n
                + (n == 1 ? " call" : " calls")
                + " with RESOURCE_EXHAUSTED in the last "
                + java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(EVERY)
                + " s (the latest: rpc="
                + method
                + " message=\""
                + status.getDescription()
                + "\")");
      }
    }
  }

  /** One call's line, written once. */
  private static final class Entry {
    private final String service;
    private final String method;
    private final long startNanos = System.nanoTime();
    private final Deadline deadline = Context.current().getDeadline();
    private final AtomicBoolean written = new AtomicBoolean();
    private volatile int tasks = RequestMapper.DEFAULT_NUMS.size();
    private volatile String runId;
    private volatile SpanContext span;

    Entry(String service, String method) {
      this.service = service;
      this.method = method;
    }

    void runId(String id) {
      if (id != null) {
        runId = id;
      }
    }

    void request(Object message) {
      // The call's span is current while its message is handled (the tracing interceptor runs
      // first); the line is written later, perhaps on another thread.
      SpanContext span = Span.current().getSpanContext();
      if (span.isValid()) {
        this.span = span;
      }
      if (message instanceof Message m) {
        FieldDescriptor nums = m.getDescriptorForType().findFieldByName("nums");
        if (nums != null && m.getRepeatedFieldCount(nums) > 0) {
          tasks = m.getRepeatedFieldCount(nums);
        } else if (nums == null) {
          // A peer's Compute is one task; its Capacity, and the run list's calls, none.
          tasks = m.getDescriptorForType().findFieldByName("n") != null ? 1 : 0;
        }
      }
    }

    boolean deadlineExpired() {
      return deadline != null && deadline.isExpired();
    }

    void write(Status status) {
      if (!written.compareAndSet(false, true) || !LOG.isLoggable(Level.INFO)) {
        return;
      }
      if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        REFUSALS.count(method, status);
        return;
      }
      // What the line is made of, now; the line itself on the log's thread.
      long nanos = System.nanoTime() - startNanos;
      int tasks = this.tasks;
      String runId = this.runId;
      SpanContext span = this.span;
      StructuredLogRecord record =
          new StructuredLogRecord(Level.INFO, () -> facts(status, nanos, tasks, runId, span));
      record.setLoggerName(LOG.getName());
      record.setSourceClassName(FibPerfService.class.getName());
      record.setSourceMethodName(method);
      LOG.log(record);
    }

    private StructuredLogRecord.Facts facts(
        Status status, long nanos, int tasks, String runId, SpanContext span) {
      long millis = nanos / 1_000_000;
      StringBuilder line =
          new StringBuilder(96)
              .append("rpc=")
              .append(method)
              .append(" tasks=")
              .append(tasks)
              .append(" status=")
              .append(status.getCode())
              .append(" duration=")
              .append(millis / 1000)
              .append('.');
      long fraction = millis % 1000;
      line.append(fraction < 10 ? "00" : fraction < 100 ? "0" : "").append(fraction).append('s');
      if (!status.isOk() && status.getDescription() != null) {
        line.append(" message=\"").append(status.getDescription()).append('"');
      }
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("rpc.system", "grpc");
      fields.put("rpc.service", service);
      fields.put("rpc.method", method);
      fields.put("rpc.grpc.status_code", status.getCode().name());
      fields.put("event.outcome", status.isOk() ? "success" : "failure");
      fields.put("event.duration", Long.toString(nanos));
      fields.put("fibperf.tasks", Integer.toString(tasks));
      if (runId != null) {
        fields.put("fibperf.run_id", runId);
      }
      if (!status.isOk() && status.getDescription() != null) {
        fields.put("rpc.grpc.status_message", status.getDescription());
      }
      if (span != null) {
        fields.put("trace.id", span.getTraceId());
        fields.put("span.id", span.getSpanId());
      }
      return new StructuredLogRecord.Facts(line.toString(), fields);
    }
  }
}
