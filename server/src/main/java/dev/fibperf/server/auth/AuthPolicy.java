package dev.fibperf.server.auth;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which proof of identity each kind of call needs, and the tokens that count as proof. Without one
 * (the default) every kind is open, as it was: bind to loopback, or require tokens or client
 * certificates, before exposing the port.
 */
public record AuthPolicy(
    Map<Role, Requirement> requirements, Tokens tokens, boolean plaintextTokensFromLoopback) {
  public static final AuthPolicy OPEN = new AuthPolicy(Map.of(), Tokens.none());

  /** Tokens only over TLS (or an in-process connection, which no one else can read). */
  public AuthPolicy(Map<Role, Requirement> requirements, Tokens tokens) {
    this(requirements, tokens, false);
  }

  /** This policy, but taking tokens over plaintext from loopback clients (for tests). */
  public AuthPolicy allowingPlaintextTokensFromLoopback() {
    return new AuthPolicy(requirements, tokens, true);
  }

  public AuthPolicy {
    Map<Role, Requirement> all = new EnumMap<>(Role.class);
    for (Role r : Role.values()) {
      all.put(r, requirements.getOrDefault(r, Requirement.NONE));
    }
    requirements = Map.copyOf(all);
    for (Map.Entry<Role, Requirement> e : requirements.entrySet()) {
      if (e.getValue() == Requirement.TOKEN && tokens.isEmpty()) {
        throw new IllegalArgumentException(
            "--auth-" + e.getKey().flagName() + "=token needs tokens (--tokens-file)");
      }
    }
  }

  public Requirement requirement(Role role) {
    return requirements.get(role);
  }

  /** Whether any kind of call needs a client certificate (the server must then ask for one). */
  public boolean acceptsCertificates() {
    return requirements.values().stream().anyMatch(Requirement::acceptsCert);
  }

  public boolean isOpen() {
    return requirements.values().stream().allMatch(r -> r == Requirement.NONE);
  }

  /**
   * Empty if a bearer token may be read from a connection that is {@code encrypted} (TLS) or not,
   * from {@code remote}; else why not. A token over plaintext has been readable by anyone on the
   * path, who can replay it: it is refused whatever the call, so a client learns at once, not after
   * its token leaked. In-process connections cross no network; loopback ones are accepted only when
   * the operator asked ({@code --allow-plaintext-tokens}).
   */
  public Optional<Denial> tokenTransport(boolean encrypted, SocketAddress remote) {
    if (encrypted || !(remote instanceof InetSocketAddress inet)) {
      return Optional.empty();
    }
    boolean loopback = inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
    if (loopback && plaintextTokensFromLoopback) {
      return Optional.empty();
    }
    return Optional.of(
        new Denial(
            true,
            "a bearer token over a plaintext connection is refused: anyone on the path can read"
                + " and replay it; connect with TLS (the server's --tls-cert-chain)"
                + (loopback
                    ? ", or start the server with --allow-plaintext-tokens for loopback tests"
                    : "")));
  }

  /**
   * What a caller presents.
   *
   * @param authorization the {@code authorization} header as sent, or null for none
   * @param certificate the client certificate the TLS handshake verified, if any
   */
  public record Credentials(String authorization, Optional<Principal> certificate) {
    public static Credentials bearer(String token) {
      return new Credentials(token == null ? null : "Bearer " + token, Optional.empty());
    }
  }

  /**
   * Why a caller may not go on.
   *
   * @param unauthenticated true when it did not prove who it is (UNAUTHENTICATED, HTTP 401); false
   *     when it did and may not do this (PERMISSION_DENIED, HTTP 403)
   */
  public record Denial(boolean unauthenticated, String message) {}

  /**
   * Empty if {@code credentials} may do {@code what}, a kind of call of {@code role}; else why not,
   * naming the flag that asks for the proof.
   */
  public Optional<Denial> check(String what, Role role, Credentials credentials) {
    Requirement needed = requirement(role);
    if (needed == Requirement.NONE) {
      return Optional.empty();
    }
    Optional<Principal> token = Optional.empty();
    String authorization = credentials.authorization();
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return Optional.of(new Denial(true, "the authorization header is not \"Bearer <token>\""));
      }
      token = tokens.authenticate(authorization.substring(7).strip());
      if (token.isEmpty()) {
        return Optional.of(
            new Denial(true, "the bearer token is not one this server accepts (--tokens-file)"));
      }
    }
    Principal who = null;
    if (needed.acceptsToken() && token.isPresent()) {
      who = token.get();
    } else if (needed.acceptsCert() && credentials.certificate().isPresent()) {
      who = credentials.certificate().get();
    }
    if (who == null) {
      return Optional.of(
          new Denial(
              true,
              what
                  + " ("
                  + role.flagName()
                  + ") needs "
                  + describe(needed)
                  + " (--auth-"
                  + role.flagName()
                  + "="
                  + needed.name().toLowerCase(Locale.ROOT).replace('_', '-')
                  + ")"));
    }
    if (!who.roles().contains(role)) {
      return Optional.of(
          new Denial(
              false,
              who.name()
                  + " may not "
                  + role.flagName()
                  + ": its roles are "
                  + who.roles().stream()
                      .map(Role::flagName)
                      .sorted()
                      .collect(Collectors.joining(","))));
    }
    return Optional.empty();
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
