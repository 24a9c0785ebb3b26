package dev.fibperf.server.peer;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * How the replicas of a cluster know each other. Every peer call carries the cluster secret, which
 * the peer service checks before anything else, so only a replica can hand work to another. The
 * secret travels over TLS, and the coordinator checks each peer's certificate against the cluster
 * CA before sending it, so it reaches no one but a replica. Plaintext is allowed only between
 * loopback addresses, and only when the operator asks by name (a cluster on one machine, in tests):
 * then both the coordinator refuses to dial, and the peer refuses calls from, any other address.
 */
public final class ClusterCredentials {
  /** The metadata entry a peer call carries the secret in. */
  static final Metadata.Key<String> SECRET =
      Metadata.Key.of("fibperf-cluster-secret", Metadata.ASCII_STRING_MARSHALLER);

  /** The shortest secret accepted: 32 characters, e.g. {@code openssl rand -hex 32} gives 64. */
  public static final int MIN_SECRET_CHARS = 32;

  /** The flag that allows plaintext peers, named in every refusal it would lift. */
  public static final String PLAINTEXT_FLAG = "--insecure-plaintext-peers-on-loopback";

  private final String secret;
  private final byte[] secretDigest;
  private final ChannelCredentials channelCredentials; // null: plaintext, loopback only

  private ClusterCredentials(String secret, ChannelCredentials channelCredentials) {
    this.secret = checked(secret);
    this.secretDigest = sha256(this.secret);
    this.channelCredentials = channelCredentials;
  }

  /**
   * Peer calls over TLS: each peer's certificate must chain to {@code clusterCa} and name the host
   * the coordinator dialled (the {@code --peers} name); the coordinator presents its own
   * certificate too, for peers that ask for client certificates.
   */
  public static ClusterCredentials tls(String secret, File clusterCa, File certChain, File key)
      throws IOException {
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(clusterCa);
    if (certChain != null) {
      tls.keyManager(certChain, key);
    }
    return new ClusterCredentials(secret, tls.build());
  }

  /** Peer calls in plaintext, to and from loopback addresses only: for tests on one machine. */
  public static ClusterCredentials plaintextOnLoopback(String secret) {
    return new ClusterCredentials(secret, null);
  }

  /**
   * The secret in {@code file}, without surrounding whitespace.
   *
   * @throws IllegalArgumentException naming the file if the secret is too short or not printable
   *     ASCII (it travels as a metadata value)
   */
  public static String readSecret(Path file) throws IOException {
    String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
    try {
      return checked(secret);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--cluster-secret-file=" + file + ": " + e.getMessage());
    }
  }

  private static String checked(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length() < MIN_SECRET_CHARS) {
      throw new IllegalArgumentException(
          "the cluster secret has "
              + secret.length()
              + " characters, fewer than "
              + MIN_SECRET_CHARS
              + " (make one with: openssl rand -hex 32)");
    }
    for (int i = 0; i < secret.length(); i++) {
      char c = secret.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new IllegalArgumentException(
            "the cluster secret has a character that is not printable ASCII at position " + i);
      }
    }
    return secret;
  }

  /** Whether peer calls go over TLS. */
  public boolean isTls() {
    return channelCredentials != null;
  }

  /**
   * A channel to the peer at {@code address}, which was resolved from {@code host} (the name its
   * certificate must carry).
   *
   * @throws IllegalArgumentException if peers are plaintext and {@code address} is not loopback
   */
  public ManagedChannel dial(String host, InetSocketAddress address) {
    String ip = address.getAddress().getHostAddress();
    if (channelCredentials == null) {
      if (!address.getAddress().isLoopbackAddress()) {
        throw new IllegalArgumentException(
            "peer "
                + ip
                + " is not a loopback address: "
                + PLAINTEXT_FLAG
                + " sends the cluster secret in the clear to loopback peers only; serve TLS"
                + " (--tls-cert-chain) for peers on other hosts");
      }
      return Grpc.newChannelBuilderForAddress(
              ip, address.getPort(), InsecureChannelCredentials.create())
          .directExecutor()
          .build();
    }
    return Grpc.newChannelBuilderForAddress(ip, address.getPort(), channelCredentials)
        // Dial the address resolved, but check the certificate against the name in --peers.
        .overrideAuthority(authority(host, address.getPort()))
        // The reply only completes a future a pool thread is blocked on: completing it on the
        // transport's thread saves a hop through gRPC's executor per task.
        .directExecutor()
        .build();
  }

  private static String authority(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** What a coordinator attaches to each peer call. */
  public CallCredentials callCredentials() {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(
          RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(SECRET, secret);
        applier.apply(headers);
      }
    };
  }

  /**
   * What the peer service checks first: the call came over TLS (or over loopback, when allowed) and
   * carries the cluster secret. Anything else is UNAUTHENTICATED before the request is read.
   */
  public ServerInterceptor verifier() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String refusal =
            refusal(
                call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION) != null,
                call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                headers.get(SECRET));
        if (refusal != null) {
          call.close(Status.UNAUTHENTICATED.withDescription(refusal), new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
      }
    };
  }

  /** Null if a peer call with this transport and secret may go on; else why not. */
  String refusal(boolean encrypted, SocketAddress remote, String presented) {
    if (!encrypted) {
      boolean loopback =
          remote instanceof InetSocketAddress inet
              && inet.getAddress() != null
              && inet.getAddress().isLoopbackAddress();
      if (channelCredentials != null || !loopback) {
        return "PeerService is for this cluster's replicas, over TLS: a plaintext call is refused"
            + (channelCredentials == null
                ? " unless it comes from a loopback address (" + PLAINTEXT_FLAG + ")"
                : "");
      }
    }
    if (presented == null) {
      return "PeerService is for this cluster's replicas: the call carries no cluster secret";
    }
    // Digests compared in constant time: the comparison says nothing of how much matched.
    if (!MessageDigest.isEqual(secretDigest, sha256(presented))) {
      return "PeerService is for this cluster's replicas: the call's cluster secret is wrong";
    }
    return null;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }
}
