package dev.fibperf.server.service;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.function.LongConsumer;

/**
 * Sends a run's id in the response headers ({@code fibperf-run-id}) as soon as the run is admitted,
 * before its first message: a dashboard or a log line can name the run while it waits for workers.
 */
final class RunIdHeader implements ServerInterceptor {
  static final Metadata.Key<String> KEY =
      Metadata.Key.of("fibperf-run-id", Metadata.ASCII_STRING_MARSHALLER);

  private static final Context.Key<LongConsumer> SENDER = Context.key("fibperf-run-id-sender");

  /** Sends {@code runId} in this call's headers now; a no-op outside an intercepted call. */
  static void send(long runId) {
    LongConsumer sender = SENDER.get();
    if (sender != null) {
      sender.accept(runId);
    }
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    HeadersOnce<ReqT, RespT> once = new HeadersOnce<>(call);
    Context context = Context.current().withValue(SENDER, once::sendRunId);
    return Contexts.interceptCall(context, once, headers, next);
  }

  /**
   * Headers go out once: the first of our early send and the stub's own (on the first message)
   * wins, and the stub's later attempt is dropped instead of failing the call. Our early send may
   * come from the thread admitting the run while a timer closes the call (its deadline passed
   * during admission); it is then dropped too, where the call would throw "call is closed" and
   * strand the admitted run. The lock keeps that send and the close from overlapping, which a
   * {@link ServerCall} does not allow.
   */
  private static final class HeadersOnce<ReqT, RespT>
      extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private boolean sent;
    private boolean closed;

    HeadersOnce(ServerCall<ReqT, RespT> delegate) {
      super(delegate);
    }

    void sendRunId(long runId) {
      Metadata headers = new Metadata();
      headers.put(KEY, Long.toString(runId));
      sendHeaders(headers);
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!sent && !closed) {
        sent = true;
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }
  }
}
