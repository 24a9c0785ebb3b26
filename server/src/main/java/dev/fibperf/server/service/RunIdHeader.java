package dev.fibperf.server.service;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Names a call's run in its response headers ({@code fibperf-run-id}), which go out with its first
 * message: in the same write, not one of their own. A run that will wait before its first task (for
 * the workers, a pool's start-up, a Compare's warm-up) sends them at once instead, so that a
 * dashboard or a log line can name it while it waits; a call that ends before any message sends
 * them just before its trailers.
 */
final class RunIdHeader implements ServerInterceptor {
  static final Metadata.Key<String> KEY =
      Metadata.Key.of("fibperf-run-id", Metadata.ASCII_STRING_MARSHALLER);

  private static final Context.Key<Handle> HANDLE = Context.key("fibperf-run-id");

  /** The current call's headers, to name its run in; does nothing outside an intercepted call. */
  static Handle current() {
    Handle handle = HANDLE.get();
    return handle == null ? Handle.NONE : handle;
  }

  /** What a call's handler can do with its headers. */
  interface Handle {
    Handle NONE =
        new Handle() {
          @Override
          public void name(long runId) {}

          @Override
          public void sendNow() {}
        };

    /** The headers will carry {@code runId}, whenever they go. */
    void name(long runId);

    /** Sends the headers now, if they have not gone yet. */
    void sendNow();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    HeadersOnce<ReqT, RespT> once = new HeadersOnce<>(call);
    return Contexts.interceptCall(Context.current().withValue(HANDLE, once), once, headers, next);
  }

  /**
   * Headers go out once: the first of an early send, the stub's own (on the first message) and the
   * close wins, and later attempts are dropped instead of failing the call. An early send may come
   * from a thread admitting the run while a timer closes the call (its deadline passed during
   * admission); it is then dropped too, where the call would throw "call is closed" and strand the
   * admitted run. The lock keeps a send and the close from overlapping, which a {@link ServerCall}
   * does not allow.
   */
  private static final class HeadersOnce<ReqT, RespT>
      extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> implements Handle {
    private boolean sent;
    private boolean closed;
    private String runId;

    HeadersOnce(ServerCall<ReqT, RespT> delegate) {
      super(delegate);
    }

    @Override
    public synchronized void name(long runId) {
      this.runId = Long.toString(runId);
    }

    @Override
    public void sendNow() {
      sendHeaders(new Metadata());
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!sent && !closed) {
        sent = true;
        if (runId != null) {
          headers.put(KEY, runId);
        }
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        if (!sent && runId != null) {
          sendHeaders(new Metadata()); // the run's name, even on a call without messages
        }
        closed = true;
        super.close(status, trailers);
      }
    }
  }
}
