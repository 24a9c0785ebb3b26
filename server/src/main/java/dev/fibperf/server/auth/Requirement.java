package dev.fibperf.server.auth;

/** The proof of identity a kind of call needs. */
public enum Requirement {
  /** Anyone who can reach the port. */
  NONE,
  /** A bearer token from the tokens file. */
  TOKEN,
  /** A client certificate that the TLS handshake verified against the client CA. */
  CERT,
  /** Either. */
  TOKEN_OR_CERT;

  /** From a flag's value: {@code none}, {@code token}, {@code cert} or {@code token-or-cert}. */
  public static Requirement parse(String value) {
    for (Requirement r : values()) {
      if (r.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-').equals(value)) {
        return r;
      }
    }
    throw new IllegalArgumentException(value + " is not one of none, token, cert, token-or-cert");
  }

  public boolean acceptsToken() {
    return this == TOKEN || this == TOKEN_OR_CERT;
  }

  public boolean acceptsCert() {
    return this == CERT || this == TOKEN_OR_CERT;
  }
}
