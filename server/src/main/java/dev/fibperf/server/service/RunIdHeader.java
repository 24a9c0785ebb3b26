package dev.fibperf.server.service;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.atomic.AtomicBoolean;
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
   * wins, and the stub's later attempt is dropped instead of failing the call.
   */
  private static final class HeadersOnce<ReqT, RespT>
      extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private final AtomicBoolean sent = new AtomicBoolean();

    HeadersOnce(ServerCall<ReqT, RespT> delegate) {
      super(delegate);
    }

    void sendRunId(long runId) {
      Metadata headers = new Metadata();
      headers.put(KEY, Long.toString(runId));
      sendHeaders(headers);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      if (sent.compareAndSet(false, true)) {
        super.sendHeaders(headers);
      }
    }
  }
}
