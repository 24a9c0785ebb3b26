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
import java.util.stream.Collectors;
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
    Identity identity = identify(call, headers);
    Status denied = check(method, role(method), identity);
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
      case "ListRuns", "GetRun", "WatchRuns" -> Role.WATCH;
      default -> Role.COMPUTE;
    };
  }

  /** What the call proves: a known token, a verified certificate, or neither. */
  private record Identity(Optional<Principal> token, Optional<Principal> cert, Status badToken) {}

  private Identity identify(ServerCall<?, ?> call, Metadata headers) {
    Optional<Principal> token = Optional.empty();
    Status badToken = null;
    String authorization = headers.get(AUTHORIZATION);
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        badToken =
            Status.UNAUTHENTICATED.withDescription(
                "the authorization header is not \"Bearer <token>\"");
      } else {
        token = policy.tokens().authenticate(authorization.substring(7).strip());
        if (token.isEmpty()) {
          badToken =
              Status.UNAUTHENTICATED.withDescription(
                  "the bearer token is not one this server accepts (--tokens-file)");
        }
      }
    }
    return new Identity(token, certificate(call), badToken);
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

  /** Null if {@code identity} may make a call of {@code role}; else the status it gets. */
  private Status check(String method, Role role, Identity identity) {
    Requirement needed = policy.requirement(role);
    if (identity.badToken() != null && needed != Requirement.NONE) {
      return identity.badToken();
    }
    Principal who = null;
    if (needed == Requirement.NONE) {
      return null;
    }
    if (needed.acceptsToken() && identity.token().isPresent()) {
      who = identity.token().get();
    } else if (needed.acceptsCert() && identity.cert().isPresent()) {
      who = identity.cert().get();
    }
    if (who == null) {
      return Status.UNAUTHENTICATED.withDescription(
          method
              + " ("
              + role.flagName()
              + ") needs "
              + describe(needed)
              + " (--auth-"
              + role.flagName()
              + "="
              + needed.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
              + ")");
    }
    if (!who.roles().contains(role)) {
      return Status.PERMISSION_DENIED.withDescription(
          who.name()
              + " may not "
              + role.flagName()
              + ": its roles are "
              + who.roles().stream().map(Role::flagName).sorted().collect(Collectors.joining(",")));
    }
    return null;
  }

  private static String describe(Requirement r) {
    return switch (r) {
      case TOKEN -> "a bearer token";
      case CERT -> "a client certificate";
      case TOKEN_OR_CERT -> "a bearer token or a client certificate";
      case NONE -> "nothing";
    };
  }
}
