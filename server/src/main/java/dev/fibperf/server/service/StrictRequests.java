package dev.fibperf.server.service;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A service whose request bodies are parsed where a bad one can be answered. gRPC parses a request
 * with the method's marshaller before the service sees it, and a marshaller that throws becomes
 * {@code UNKNOWN: Application error processing RPC} plus a SEVERE log line with a stack trace,
 * which any client can provoke at will. Here each method's marshaller returns a {@link Parsed}
 * instead, holding the message or what was wrong with the bytes, and the call handler answers the
 * latter with INVALID_ARGUMENT naming the problem, logged once at FINE without a stack.
 */
public final class StrictRequests {
  private static final Logger LOG = Logger.getLogger(StrictRequests.class.getName());

  private StrictRequests() {}

  /** {@code service}, its methods the same but for how their requests are parsed. */
  public static ServerServiceDefinition of(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor()); // reflection reads this
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> wrapped = strict(method);
      methods.add(wrapped);
      descriptor.addMethod(wrapped.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder strict = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> method : methods) {
      strict.addMethod(method);
    }
    return strict.build();
  }

  private static <Q, R> ServerMethodDefinition<Parsed<Q>, R> strict(
      ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> typed = method.getMethodDescriptor();
    MethodDescriptor<Parsed<Q>, R> parsed =
        typed.toBuilder(new ParsingMarshaller<>(typed), typed.getResponseMarshaller()).build();
    ServerCallHandler<Q, R> handler = method.getServerCallHandler();
    return ServerMethodDefinition.create(
        parsed, (call, headers) -> startCall(call, headers, typed, handler));
  }

  private static <Q, R> ServerCall.Listener<Parsed<Q>> startCall(
      ServerCall<Parsed<Q>, R> call,
      Metadata headers,
      MethodDescriptor<Q, R> typed,
      ServerCallHandler<Q, R> handler) {
    TypedCall<Q, R> typedCall = new TypedCall<>(call, typed);
    ServerCall.Listener<Q> inner = handler.startCall(typedCall, headers);
    return new ServerCall.Listener<>() {
      private boolean rejected;

      @Override
      public void onMessage(Parsed<Q> message) {
        if (rejected) {
          return;
        }
        if (message.problem() != null) {
          rejected = true;
          LOG.log(
              Level.FINE,
              "rpc={0} rejected a malformed request: {1}",
              new Object[] {typed.getBareMethodName(), message.problem()});
          if (!typedCall.closed) { // an interceptor inside (access policy) may have closed it
            call.close(rejection(typed, message.problem()), new Metadata());
          }
          return;
        }
        inner.onMessage(message.message());
      }

      @Override
      public void onHalfClose() {
        if (!rejected) {
          inner.onHalfClose();
        }
      }

      @Override
      public void onCancel() {
        inner.onCancel();
      }

      @Override
      public void onComplete() {
        inner.onComplete();
      }

      @Override
      public void onReady() {
        if (!rejected) {
          inner.onReady();
        }
      }
    };
  }

  /** What a request whose bytes could not be parsed gets. */
  static Status rejection(MethodDescriptor<?, ?> method, String problem) {
    return Status.INVALID_ARGUMENT.withDescription(
        "request is not a valid " + requestType(method) + ": " + problem);
  }

  /** Parses {@code body} as {@code method}'s request, as the server does. */
  static <Q> Parsed<Q> parse(MethodDescriptor<Q, ?> method, InputStream body) {
    return new ParsingMarshaller<>(method).parse(body);
  }

  private static String requestType(MethodDescriptor<?, ?> method) {
    if (method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
        && p.getMessagePrototype() instanceof com.google.protobuf.Message m) {
      return m.getDescriptorForType().getFullName();
    }
    return method.getFullMethodName() + " request";
  }

  /** A request as read from the wire: its message, or what made the bytes unreadable. */
  record Parsed<Q>(Q message, String problem) {}

  private static final class ParsingMarshaller<Q>
      implements MethodDescriptor.Marshaller<Parsed<Q>> {
    private final MethodDescriptor.Marshaller<Q> inner;

    ParsingMarshaller(MethodDescriptor<Q, ?> method) {
      this.inner = method.getRequestMarshaller();
    }

    @Override
    public InputStream stream(Parsed<Q> value) {
      return inner.stream(value.message());
    }

    @Override
    public Parsed<Q> parse(InputStream stream) {
      try {
        return new Parsed<>(inner.parse(stream), null);
      } catch (StatusRuntimeException e) {
        // protobuf's marshaller says INTERNAL "Invalid protobuf byte sequence"; its cause says
        // what was wrong (a bad wire type, a truncated varint, a length past the end...).
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return new Parsed<>(null, String.valueOf(cause.getMessage()));
      } catch (RuntimeException e) {
        // The body is decompressed as it is read: a compressed flag on bytes that are not what
        // the message encoding names fails here, as gRPC's deframer reports it.
        return new Parsed<>(null, "the compressed body could not be decompressed: " + e);
      }
    }
  }

  /** The handler's view of the call: the original, typed method descriptor; all else forwarded. */
  private static final class TypedCall<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<Parsed<Q>, R> call;
    private final MethodDescriptor<Q, R> typed;
    volatile boolean closed;

    TypedCall(ServerCall<Parsed<Q>, R> call, MethodDescriptor<Q, R> typed) {
      this.call = call;
      this.typed = typed;
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return typed;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(R message) {
      call.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      closed = true;
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public io.grpc.SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public io.grpc.Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }
  }
}
