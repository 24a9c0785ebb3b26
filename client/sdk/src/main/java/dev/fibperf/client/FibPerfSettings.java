package dev.fibperf.client;

import io.grpc.CallCredentials;
import io.grpc.ClientInterceptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link FibPerfClient} connects. Immutable; start from {@link #newBuilder(String)}.
 *
 * <pre>{@code
 * FibPerfSettings settings =
 *     FibPerfSettings.newBuilder("fibperf.internal:443")
 *         .tls(Path.of("ca.pem"))
 *         .defaultDeadline(Duration.ofSeconds(30))
 *         .build();
 * }</pre>
 */
public final class FibPerfSettings {
  /** Largest message accepted by default: 16 MiB, room for big profile artifacts and values. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 16 * 1024 * 1024;

  /** Attempts per call, the first included, while the server is UNAVAILABLE before it answers. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  private final String target;
  private final boolean tls;
  private final Path trustCertificates;
  private final Duration defaultDeadline;
  private final int maxInboundMessageBytes;
  private final Duration keepAliveTime;
  private final Duration keepAliveTimeout;
  private final int maxAttempts;
  private final List<ClientInterceptor> interceptors;
  private final CallCredentials callCredentials;
  private final Path clientCertificateChain;
  private final Path clientPrivateKey;
  private final String loadBalancing;

  private FibPerfSettings(Builder b) {
    this.target = b.target;
    this.tls = b.tls;
    this.trustCertificates = b.trustCertificates;
    this.defaultDeadline = b.defaultDeadline;
    this.maxInboundMessageBytes = b.maxInboundMessageBytes;
    this.keepAliveTime = b.keepAliveTime;
    this.keepAliveTimeout = b.keepAliveTimeout;
    this.maxAttempts = b.maxAttempts;
    this.interceptors = List.copyOf(b.interceptors);
    this.callCredentials = b.callCredentials;
    this.clientCertificateChain = b.clientCertificateChain;
    this.clientPrivateKey = b.clientPrivateKey;
    this.loadBalancing = b.loadBalancing;
  }

  /**
   * Settings for {@code target} ({@code host:port} or any gRPC target URI), plaintext, no deadline,
   * 16 MiB messages, no keepalive, 3 attempts while UNAVAILABLE before a response.
   */
  public static Builder newBuilder(String target) {
    return new Builder(target);
  }

  /** A builder starting from these settings: {@code s.toBuilder().maxAttempts(1).build()}. */
  public Builder toBuilder() {
    Builder b = new Builder(target);
    b.tls = tls;
    b.trustCertificates = trustCertificates;
    b.defaultDeadline = defaultDeadline;
    b.maxInboundMessageBytes = maxInboundMessageBytes;
    b.keepAliveTime = keepAliveTime;
    b.keepAliveTimeout = keepAliveTimeout;
    b.maxAttempts = maxAttempts;
    b.interceptors = List.copyOf(interceptors);
    b.callCredentials = callCredentials;
    b.clientCertificateChain = clientCertificateChain;
    b.clientPrivateKey = clientPrivateKey;
    b.loadBalancing = loadBalancing;
    return b;
  }

  /** Where calls go: {@code settings.target()}, e.g. {@code "localhost:50051"}. */
  public String target() {
    return target;
  }

  /** Whether calls use TLS: {@code if (settings.tls()) ...}. */
  public boolean tls() {
    return tls;
  }

  /** PEM CA certificates trusted for TLS instead of the system's; empty for the system's. */
  public Optional<Path> trustCertificates() {
    return Optional.ofNullable(trustCertificates);
  }

  /** Deadline applied to every call; empty for none. */
  public Optional<Duration> defaultDeadline() {
    return Optional.ofNullable(defaultDeadline);
  }

  /** Largest message accepted: {@code settings.maxInboundMessageBytes()}. */
  public int maxInboundMessageBytes() {
    return maxInboundMessageBytes;
  }

  /** Interval of HTTP/2 keepalive pings; empty for none. */
  public Optional<Duration> keepAliveTime() {
    return Optional.ofNullable(keepAliveTime);
  }

  /** How long a keepalive ping may go unanswered: {@code settings.keepAliveTimeout()}. */
  public Optional<Duration> keepAliveTimeout() {
    return Optional.ofNullable(keepAliveTimeout);
  }

  /** Attempts per call while UNAVAILABLE before a response: {@code settings.maxAttempts()}. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Interceptors every call passes through, the first one outermost. */
  public List<ClientInterceptor> interceptors() {
    return interceptors;
  }

  /** Credentials attached to every call (e.g. a bearer token); empty for none. */
  public Optional<CallCredentials> callCredentials() {
    return Optional.ofNullable(callCredentials);
  }

  /** The PEM certificate chain this client proves itself with over TLS, if any. */
  public Optional<Path> clientCertificateChain() {
    return Optional.ofNullable(clientCertificateChain);
  }

  /** The PEM PKCS#8 private key of {@link #clientCertificateChain()}. */
  public Optional<Path> clientPrivateKey() {
    return Optional.ofNullable(clientPrivateKey);
  }

  /**
   * How calls spread over the addresses the target resolves to: {@code "pick_first"} or {@code
   * "round_robin"}.
   */
  public String loadBalancing() {
    return loadBalancing;
  }

  /** Mutable builder for {@link FibPerfSettings}. */
  public static final class Builder {
    private final String target;
    private boolean tls;
    private Path trustCertificates;
    private Duration defaultDeadline;
    private int maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
    private Duration keepAliveTime;
    private Duration keepAliveTimeout;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private List<ClientInterceptor> interceptors = List.of();
    private CallCredentials callCredentials;
    private Path clientCertificateChain;
    private Path clientPrivateKey;
    private String loadBalancing = "pick_first";

    private Builder(String target) {
      this.target = Objects.requireNonNull(target, "target");
      if (target.isBlank()) {
        throw new IllegalArgumentException("target is blank");
      }
    }

    /** Plaintext HTTP/2 (the default): {@code newBuilder("localhost:50051").plaintext()}. */
    public Builder plaintext() {
      this.tls = false;
      this.trustCertificates = null;
      return this;
    }

    /**
     * TLS trusting the system's CA certificates: {@code newBuilder("fibperf.example:443").tls()}.
     */
    public Builder tls() {
      this.tls = true;
      this.trustCertificates = null;
      return this;
    }

    /** TLS trusting the PEM CA certificates in a file: {@code builder.tls(Path.of("ca.pem"))}. */
    public Builder tls(Path caCertificates) {
      this.tls = true;
      this.trustCertificates = Objects.requireNonNull(caCertificates, "caCertificates");
      return this;
    }

    /**
     * Deadline for every call that does not set its own; null for none: {@code
     * builder.defaultDeadline(Duration.ofSeconds(30))}.
     */
    public Builder defaultDeadline(Duration deadline) {
      if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
        throw new IllegalArgumentException("defaultDeadline=" + deadline + " must be positive");
      }
      this.defaultDeadline = deadline;
      return this;
    }

    /**
     * Largest message accepted, at least 1 KiB: {@code builder.maxInboundMessageBytes(32 << 20)}.
     */
    public Builder maxInboundMessageBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException(
            "maxInboundMessageBytes=" + bytes + " is below the minimum 1024");
      }
      this.maxInboundMessageBytes = bytes;
      return this;
    }

    /**
     * HTTP/2 keepalive: ping every {@code time}, drop the connection after {@code timeout}: {@code
     * builder.keepAlive(Duration.ofSeconds(30), Duration.ofSeconds(5))}.
     */
    public Builder keepAlive(Duration time, Duration timeout) {
      this.keepAliveTime = Objects.requireNonNull(time, "time");
      this.keepAliveTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Attempts per call while the server answers UNAVAILABLE before its first response, through
     * gRPC's retry service config; 1 disables retry: {@code builder.maxAttempts(1)}.
     */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > 5) {
        throw new IllegalArgumentException("maxAttempts=" + attempts + " outside [1, 5]");
      }
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * Interceptors for every call (tracing, metrics, headers), the first one outermost, replacing
     * any set before: {@code builder.interceptors(myTracingInterceptor)}.
     */
    public Builder interceptors(ClientInterceptor... interceptors) {
      this.interceptors = List.of(interceptors);
      return this;
    }

    /**
     * Credentials attached to every call, or null for none: {@code
     * builder.callCredentials(myTokenCredentials)}. gRPC sends them over TLS only, unless the
     * credentials say otherwise.
     */
    public Builder callCredentials(CallCredentials credentials) {
      this.callCredentials = credentials;
      return this;
    }

    /**
     * Sends {@code authorization: Bearer <token>} on every call, over TLS only (a call on a
     * plaintext channel fails with UNAUTHENTICATED rather than leak it): {@code
     * builder.tls(ca).bearerToken(System.getenv("FIBPERF_TOKEN"))}. Replaces any {@link
     * #callCredentials}.
     */
    public Builder bearerToken(String token) {
      this.callCredentials = new BearerToken(token);
      return this;
    }

    /**
     * Proves this client with a certificate during the TLS handshake (mutual TLS), for a server
     * started with {@code --tls-client-ca}: {@code builder.tls(ca).clientCertificate(chain, key)}.
     * Needs {@link #tls()} or {@link #tls(Path)}.
     */
    public Builder clientCertificate(Path certificateChain, Path privateKey) {
      this.clientCertificateChain = Objects.requireNonNull(certificateChain, "certificateChain");
      this.clientPrivateKey = Objects.requireNonNull(privateKey, "privateKey");
      return this;
    }

    /**
     * How calls spread over the replicas the target resolves to. {@code "pick_first"} (the default,
     * gRPC's) sends every call to one of them. {@code "round_robin"} connects to all and takes
     * turns, and watches each one's health (gRPC client-side health checking of {@code
     * fibperf.v1.FibPerfService}): a replica that drains (NOT_SERVING) or dies gets no new calls,
     * while its calls in flight finish. For a name with several addresses, such as a Kubernetes
     * headless Service: {@code
     * FibPerfSettings.newBuilder("dns:///fibperf-headless.default.svc:50051").loadBalancing("round_robin")}.
     */
    public Builder loadBalancing(String policy) {
      Objects.requireNonNull(policy, "policy");
      if (!policy.equals("pick_first") && !policy.equals("round_robin")) {
        throw new IllegalArgumentException(
            "loadBalancing=" + policy + " is not one of pick_first, round_robin");
      }
      this.loadBalancing = policy;
      return this;
    }

    /**
     * The immutable settings: {@code FibPerfSettings s = builder.build()}.
     *
     * @throws IllegalStateException if a client certificate is set on a plaintext channel
     */
    public FibPerfSettings build() {
      if (clientCertificateChain != null && !tls) {
        throw new IllegalStateException("clientCertificate needs tls(): mutual TLS is TLS");
      }
      return new FibPerfSettings(this);
    }
  }
}
