package dev.fibperf.server.auth;

import dev.fibperf.proto.v1.ArtifactChunk;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Enforces an {@link AuthPolicy} on the fibperf service's calls: UNAUTHENTICATED when a call lacks
 * the proof its kind needs (or brings a token the server does not know), PERMISSION_DENIED when the
 * caller is known but its token's roles do not include the kind. A call's kind is known from its
 * method, except two that depend on the request: a profiled Compare also needs {@code profile}, and
 * a profile asking for raw JFR also needs {@code raw-jfr}.
 *
 * <p>A verified client certificate carries every role: the CA vouches for the client. Tokens carry
 * the roles their line in the tokens file lists.
 */
public final class AuthInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final AuthPolicy policy;

  public AuthInterceptor(AuthPolicy policy) {
    this.policy = policy;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    AuthPolicy.Credentials identity = identify(call, headers);
    Status denied =
        identity.authorization() == null
            ? null
            : policy
                .tokenTransport(
                    call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION) != null,
                    call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR))
                .map(d -> Status.UNAUTHENTICATED.withDescription(d.message()))
                .orElse(null);
    if (denied == null) {
      denied = check(method, role(method), identity);
    }
    if (denied != null) {
      call.close(denied, new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      private boolean closed;

      @Override
      public void onMessage(Q message) {
        Status more = null;
        if (message instanceof CompareRequest c && c.getProfile()) {
          more = check(method, Role.PROFILE, identity);
        } else if (message instanceof ProfileSerialRequest p
            && p.getOptions().getArtifactsList().contains(ArtifactChunk.Format.FORMAT_JFR)) {
          more = check(method, Role.RAW_JFR, identity);
        }
        if (more != null) {
          closed = true;
          call.close(more, new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!closed) {
          super.onHalfClose();
        }
      }
    };
  }

  private static Role role(String method) {
    return switch (method) {
      case "ProfileSerial" -> Role.PROFILE;
      case "ListRuns", "GetRun", "WatchRuns", "CompareRuns" -> Role.WATCH;
      default -> Role.COMPUTE;
    };
  }

  private static AuthPolicy.Credentials identify(ServerCall<?, ?> call, Metadata headers) {
    return new AuthPolicy.Credentials(headers.get(AUTHORIZATION), certificate(call));
  }

  private static Optional<Principal> certificate(ServerCall<?, ?> call) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates(); // verified by the handshake
      if (chain.length > 0 && chain[0] instanceof X509Certificate x509) {
        return Optional.of(
            new Principal(
                "cert:" + x509.getSubjectX500Principal().getName(), EnumSet.allOf(Role.class)));
      }
    } catch (SSLPeerUnverifiedException none) {
      // No client certificate.
    }
    return Optional.empty();
  }

  /** Null if the caller may make a call of {@code role}; else the status it gets. */
  private Status check(String method, Role role, AuthPolicy.Credentials credentials) {
    return policy
        .check(method, role, credentials)
        .map(
            d ->
                (d.unauthenticated() ? Status.UNAUTHENTICATED : Status.PERMISSION_DENIED)
                    .withDescription(d.message()))
        .orElse(null);
  }
}
