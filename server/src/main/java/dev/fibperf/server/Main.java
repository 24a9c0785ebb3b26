package dev.fibperf.server;

import dev.fibperf.server.auth.AuthPolicy;
import dev.fibperf.server.auth.Requirement;
import dev.fibperf.server.auth.Role;
import dev.fibperf.server.auth.Tokens;
import dev.fibperf.server.config.DurationConverter;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.config.TransportLimits;
import dev.fibperf.server.http.HttpEndpoints;
import dev.fibperf.server.peer.ClusterCredentials;
import dev.fibperf.server.tracing.Tracing;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.util.CertificateUtils;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command line entry point: flags (each with a {@code FIBPERF_*} environment variable) to a {@link
 * ServerConfig}, then serve until SIGTERM or SIGINT, drain, and exit 0.
 */
@Command(
    name = "fibperf-server",
    mixinStandardHelpOptions = true,
    version = "fibperf-server 0.1.0",
    sortOptions = false,
    description = "Serves fibperf.v1.FibPerfService: Serial, Parallel, ProfileSerial, Compare.",
    footer = {
      "",
      "Every option can also be set by the environment variable shown in its description.",
      "SIGTERM drains: health NOT_SERVING, new calls UNAVAILABLE, in-flight runs get",
      "--shutdown-grace to finish, the rest are cancelled, exit code 0."
    })
public final class Main implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  @Option(
      names = "--port",
      defaultValue = "${env:FIBPERF_PORT:-50051}",
      description = "TCP port; 0 picks a free one (FIBPERF_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--workers",
      defaultValue = "${env:FIBPERF_WORKERS:-0}",
      description = "Compute pool threads; 0 = available processors (FIBPERF_WORKERS).")
  int workers;

  @Option(
      names = "--max-tasks",
      defaultValue = "${env:FIBPERF_MAX_TASKS:-" + ServerConfig.DEFAULT_MAX_TASKS + "}",
      description = "Most entries in nums (FIBPERF_MAX_TASKS, default ${DEFAULT-VALUE}).")
  int maxTasks;

  @Option(
      names = "--max-n-naive",
      defaultValue = "${env:FIBPERF_MAX_N_NAIVE:-" + ServerConfig.DEFAULT_MAX_NAIVE_N + "}",
      description =
          "Largest n for naive recursion (FIBPERF_MAX_N_NAIVE, default ${DEFAULT-VALUE}).")
  int maxNaiveN;

  @Option(
      names = "--max-n-iterative",
      defaultValue = "${env:FIBPERF_MAX_N_ITERATIVE:-" + ServerConfig.DEFAULT_MAX_ITERATIVE_N + "}",
      description =
          "Largest n for the iterative algorithm (FIBPERF_MAX_N_ITERATIVE, default"
              + " ${DEFAULT-VALUE}).")
  int maxIterativeN;

  @Option(
      names = "--max-n-fast-doubling",
      defaultValue =
          "${env:FIBPERF_MAX_N_FAST_DOUBLING:-" + ServerConfig.DEFAULT_MAX_FAST_DOUBLING_N + "}",
      description =
          "Largest n for fast doubling (FIBPERF_MAX_N_FAST_DOUBLING, default"
              + " ${DEFAULT-VALUE}).")
  int maxFastDoublingN;

  @Option(
      names = "--max-naive-calls",
      defaultValue = "${env:FIBPERF_MAX_NAIVE_CALLS:-" + ServerConfig.DEFAULT_MAX_NAIVE_CALLS + "}",
      description =
          "Most naive-recursion calls per request, 2*F(n+1)-1 summed, doubled for"
              + " Compare; the default is about a minute of work (FIBPERF_MAX_NAIVE_CALLS,"
              + " default ${DEFAULT-VALUE}).")
  long maxNaiveCalls;

  @Option(
      names = "--max-concurrent-runs",
      defaultValue =
          "${env:FIBPERF_MAX_CONCURRENT_RUNS:-" + ServerConfig.DEFAULT_MAX_CONCURRENT_RUNS + "}",
      description =
          "Most calls doing work at once; more get RESOURCE_EXHAUSTED"
              + " (FIBPERF_MAX_CONCURRENT_RUNS, default ${DEFAULT-VALUE}).")
  int maxConcurrentRuns;

  @Option(
      names = "--recent-runs",
      defaultValue = "${env:FIBPERF_RECENT_RUNS:-" + ServerConfig.DEFAULT_RECENT_RUNS + "}",
      description =
          "Finished runs that ListRuns, GetRun and WatchRuns remember (FIBPERF_RECENT_RUNS,"
              + " default ${DEFAULT-VALUE}).")
  int recentRuns;

  @Option(
      names = "--max-watchers",
      defaultValue = "${env:FIBPERF_MAX_WATCHERS:-" + ServerConfig.DEFAULT_MAX_WATCHERS + "}",
      description =
          "Most WatchRuns calls at once; more get RESOURCE_EXHAUSTED (FIBPERF_MAX_WATCHERS,"
              + " default ${DEFAULT-VALUE}).")
  int maxWatchers;

  @Option(
      names = "--shutdown-grace",
      defaultValue = "${env:FIBPERF_SHUTDOWN_GRACE:-10s}",
      converter = DurationOption.class,
      description =
          "How long in-flight runs may finish after SIGTERM (FIBPERF_SHUTDOWN_GRACE,"
              + " default ${DEFAULT-VALUE}).")
  Duration shutdownGrace;

  @Option(
      names = "--worker-kill-grace",
      defaultValue = "${env:FIBPERF_WORKER_KILL_GRACE:-1s}",
      converter = DurationOption.class,
      description =
          "How long a cancelled task on a worker process may take to stop before the worker is"
              + " killed and replaced (FIBPERF_WORKER_KILL_GRACE, default ${DEFAULT-VALUE}).")
  Duration workerKillGrace;

  @Option(
      names = "--stalled-stream-timeout",
      paramLabel = "<duration>",
      defaultValue = "${env:FIBPERF_STALLED_STREAM_TIMEOUT:-1m}",
      converter = DurationOption.class,
      description =
          "Cancel a run whose reader has taken nothing for this long, freeing its slot; 0 = never"
              + " (default ${DEFAULT-VALUE}).")
  Duration stalledStreamTimeout;

  @Option(
      names = "--profiling",
      negatable = true,
      defaultValue = "${env:FIBPERF_PROFILING:-true}",
      fallbackValue = "true",
      description =
          "Allow ProfileSerial and profiled Compare (FIBPERF_PROFILING, default"
              + " ${DEFAULT-VALUE}).")
  boolean profiling;

  @Option(
      names = "--profiling-engine",
      defaultValue = "${env:FIBPERF_PROFILING_ENGINE:-async-profiler}",
      converter = EngineConverter.class,
      description =
          "What takes a profile's samples unless its request says: async-profiler (where its"
              + " native library loads; else JFR, and the profile says why) or jfr"
              + " (FIBPERF_PROFILING_ENGINE, default ${DEFAULT-VALUE}).")
  dev.fibperf.server.profile.Engine profilingEngine;

  /** {@code async-profiler} or {@code jfr}, as the flag spells them. */
  static final class EngineConverter
      implements CommandLine.ITypeConverter<dev.fibperf.server.profile.Engine> {
    @Override
    public dev.fibperf.server.profile.Engine convert(String value) {
      return switch (value) {
        case "async-profiler" -> dev.fibperf.server.profile.Engine.ASYNC_PROFILER;
        case "jfr" -> dev.fibperf.server.profile.Engine.JFR;
        default ->
            throw new CommandLine.TypeConversionException(
                value + " is not one of async-profiler, jfr");
      };
    }
  }

  @Option(
      names = "--peers",
      defaultValue = "${env:FIBPERF_PEERS:-}",
      description =
          "Replicas whose workers POOL_KIND_CLUSTER uses: dns:///<name>:<port> (every address the"
              + " name has, e.g. a Kubernetes headless Service; list this server too to use its"
              + " own workers) or host:port,host:port (FIBPERF_PEERS; default none). Needs"
              + " --cluster-secret-file, and TLS (--tls-cert-chain) or"
              + " --insecure-plaintext-peers-on-loopback.")
  String peers;

  @Option(
      names = "--cluster-secret-file",
      paramLabel = "FILE",
      defaultValue = "${env:FIBPERF_CLUSTER_SECRET_FILE}",
      description =
          "The secret every replica of the cluster shares, at least 32 printable characters"
              + " (openssl rand -hex 32): each peer call carries it, and the peer service refuses"
              + " calls without it (FIBPERF_CLUSTER_SECRET_FILE; needed with --peers).")
  File clusterSecretFile;

  @Option(
      names = "--cluster-ca",
      paramLabel = "FILE",
      defaultValue = "${env:FIBPERF_CLUSTER_CA}",
      description =
          "PEM certificate(s) of the CA that signed the replicas' certificates: a coordinator"
              + " sends the cluster secret only to a peer whose certificate chains to it and names"
              + " the host in --peers (FIBPERF_CLUSTER_CA; default: --tls-cert-chain itself, for"
              + " replicas that share one certificate).")
  File clusterCa;

  @Option(
      names = ClusterCredentials.PLAINTEXT_FLAG,
      description =
          "Let peer calls go without TLS, to and from loopback addresses only (a cluster on one"
              + " machine, for tests): the cluster secret then crosses loopback in the clear.")
  boolean insecurePlaintextPeers;

  @Option(
      names = {"--http-port", "--metrics-port"},
      defaultValue = "${env:FIBPERF_HTTP_PORT:-${env:FIBPERF_METRICS_PORT:--1}}",
      description =
          "Serve the live dashboard at http://0.0.0.0:<port>/, the run list at /api/runs, run"
              + " events at /events and Prometheus metrics at /metrics; -1 (default) = off, 0 = a"
              + " free port (FIBPERF_HTTP_PORT, or the old FIBPERF_METRICS_PORT; --metrics-port is the old name).")
  int httpPort;

  @Option(
      names = "--bind",
      paramLabel = "<address>",
      defaultValue = "${env:FIBPERF_BIND:-0.0.0.0}",
      description =
          "Address both ports listen on: 127.0.0.1 for this host only, 0.0.0.0 (default) for"
              + " every interface (FIBPERF_BIND).")
  String bind;

  @Option(
      names = "--log-format",
      paramLabel = "text|json",
      defaultValue = "${env:FIBPERF_LOG_FORMAT:-text}",
      converter = LogFormatOption.class,
      description =
          "Log lines for people (text, default) or one ECS JSON object per line for log shippers"
              + " (json; FIBPERF_LOG_FORMAT). Times are UTC either way.")
  LogFormat.Kind logFormat;

  @Option(
      names = "--allow-raw-jfr",
      defaultValue = "${env:FIBPERF_ALLOW_RAW_JFR:-false}",
      description =
          "Let profiles return raw JFR bytes, which hold other calls' data"
              + " (FIBPERF_ALLOW_RAW_JFR, default ${DEFAULT-VALUE}).")
  boolean allowRawJfr;

  @Option(
      names = "--tls-cert-chain",
      paramLabel = "<pem>",
      defaultValue = "${env:FIBPERF_TLS_CERT_CHAIN}",
      description =
          "Serve TLS with this PEM certificate chain, on the gRPC port and the HTTP port (needs"
              + " --tls-private-key; FIBPERF_TLS_CERT_CHAIN). Plaintext when unset.")
  File tlsCertChain;

  @Option(
      names = "--allow-plaintext-tokens",
      description =
          "Accept bearer tokens over plaintext from loopback clients (for tests on one machine)."
              + " Otherwise a token is accepted only over TLS: over plaintext anyone on the path"
              + " could read and replay it.")
  boolean allowPlaintextTokens;

  @Option(
      names = "--tls-private-key",
      paramLabel = "<pem>",
      defaultValue = "${env:FIBPERF_TLS_PRIVATE_KEY}",
      description = "The PEM PKCS#8 private key for --tls-cert-chain (FIBPERF_TLS_PRIVATE_KEY).")
  File tlsPrivateKey;

  @Option(
      names = "--worker-jvm-option",
      paramLabel = "<option>",
      description = "An extra JVM option for worker processes (repeatable), e.g. -Xmx256m.")
  List<String> workerJvmOptions = new ArrayList<>();

  @Option(
      names = "--max-calls-per-connection",
      paramLabel = "<n>",
      defaultValue = "${env:FIBPERF_MAX_CALLS_PER_CONNECTION:-100}",
      description =
          "Most calls one connection may have open at once; more wait (default ${DEFAULT-VALUE}).")
  int maxCallsPerConnection;

  @Option(
      names = "--max-rst-per-window",
      paramLabel = "<n>",
      defaultValue = "${env:FIBPERF_MAX_RST_PER_WINDOW:-200}",
      description =
          "RST_STREAM frames a client may send per --rst-window before its connection is closed"
              + " (rapid-reset protection; 0 = off; default ${DEFAULT-VALUE}).")
  int maxRstPerWindow;

  @Option(
      names = "--rst-window",
      paramLabel = "<duration>",
      defaultValue = "${env:FIBPERF_RST_WINDOW:-1s}",
      converter = DurationOption.class,
      description =
          "The window for --max-rst-per-window, whole seconds (default ${DEFAULT-VALUE}).")
  Duration rstWindow;

  @Option(
      names = "--keepalive-time",
      paramLabel = "<duration>",
      defaultValue = "${env:FIBPERF_KEEPALIVE_TIME:-1m}",
      converter = DurationOption.class,
      description = "Ping a connection silent this long (default ${DEFAULT-VALUE}).")
  Duration keepAliveTime;

  @Option(
      names = "--keepalive-timeout",
      paramLabel = "<duration>",
      defaultValue = "${env:FIBPERF_KEEPALIVE_TIMEOUT:-20s}",
      converter = DurationOption.class,
      description =
          "Close a connection whose ping is unanswered this long (default ${DEFAULT-VALUE}).")
  Duration keepAliveTimeout;

  @Option(
      names = "--permit-keepalive-time",
      paramLabel = "<duration>",
      defaultValue = "${env:FIBPERF_PERMIT_KEEPALIVE_TIME:-10s}",
      converter = DurationOption.class,
      description =
          "The most often a client may ping; more often gets GOAWAY (default ${DEFAULT-VALUE}).")
  Duration permitKeepAliveTime;

  @Option(
      names = "--handshake-timeout",
      paramLabel = "<duration>",
      defaultValue = "${env:FIBPERF_HANDSHAKE_TIMEOUT:-10s}",
      converter = DurationOption.class,
      description =
          "Close a connection that has not finished TLS and the HTTP/2 preface in this long"
              + " (default ${DEFAULT-VALUE}).")
  Duration handshakeTimeout;

  @Option(
      names = "--max-inbound-message-bytes",
      paramLabel = "<bytes>",
      defaultValue = "${env:FIBPERF_MAX_INBOUND_MESSAGE_BYTES:-262144}",
      description = "The largest request message (default ${DEFAULT-VALUE}: 256 KiB).")
  int maxInboundMessageBytes;

  @Option(
      names = "--max-inbound-metadata-bytes",
      paramLabel = "<bytes>",
      defaultValue = "${env:FIBPERF_MAX_INBOUND_METADATA_BYTES:-8192}",
      description = "The largest request headers (default ${DEFAULT-VALUE}).")
  int maxInboundMetadataBytes;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "<pem>",
      defaultValue = "${env:FIBPERF_TLS_CLIENT_CA}",
      description =
          "Ask clients for a certificate and verify it against these PEM CA certificates (mutual"
              + " TLS; needs --tls-cert-chain; FIBPERF_TLS_CLIENT_CA).")
  File tlsClientCa;

  @Option(
      names = "--tokens-file",
      paramLabel = "<file>",
      defaultValue = "${env:FIBPERF_TOKENS_FILE}",
      description =
          "Bearer tokens the server accepts: lines of <principal> <token> [role,role...]"
              + " (FIBPERF_TOKENS_FILE).")
  File tokensFile;

  @Option(
      names = "--auth-compute",
      paramLabel = "<proof>",
      defaultValue = "${env:FIBPERF_AUTH_COMPUTE:-none}",
      description =
          "What Serial, Parallel and Compare need: none, token, cert or token-or-cert (default"
              + " ${DEFAULT-VALUE}).")
  String authCompute;

  @Option(
      names = "--auth-profile",
      paramLabel = "<proof>",
      defaultValue = "${env:FIBPERF_AUTH_PROFILE:-none}",
      description = "What ProfileSerial and profiled Compares need (default ${DEFAULT-VALUE}).")
  String authProfile;

  @Option(
      names = "--auth-raw-jfr",
      paramLabel = "<proof>",
      defaultValue = "${env:FIBPERF_AUTH_RAW_JFR:-none}",
      description =
          "What a profile's raw JFR needs, besides --allow-raw-jfr (default ${DEFAULT-VALUE}).")
  String authRawJfr;

  @Option(
      names = "--auth-watch",
      paramLabel = "<proof>",
      defaultValue = "${env:FIBPERF_AUTH_WATCH:-none}",
      description =
          "What ListRuns, GetRun and WatchRuns (everyone's runs) need (default ${DEFAULT-VALUE}).")
  String authWatch;

  /** picocli converter for {@code --log-format}: the kind's name in any case. */
  static final class LogFormatOption implements CommandLine.ITypeConverter<LogFormat.Kind> {
    @Override
    public LogFormat.Kind convert(String value) {
      for (LogFormat.Kind kind : LogFormat.Kind.values()) {
        if (kind.name().equalsIgnoreCase(value)) {
          return kind;
        }
      }
      throw new CommandLine.TypeConversionException(
          "--log-format=" + value + " must be text or json");
    }
  }

  /** picocli converter for {@link DurationConverter}. */
  static final class DurationOption implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return DurationConverter.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  ServerConfig config() {
    return ServerConfig.newBuilder()
        .port(port)
        .workers(workers == 0 ? Runtime.getRuntime().availableProcessors() : workers)
        .maxTasks(maxTasks)
        .maxNaiveN(maxNaiveN)
        .maxIterativeN(maxIterativeN)
        .maxFastDoublingN(maxFastDoublingN)
        .maxNaiveCalls(maxNaiveCalls)
        .maxConcurrentRuns(maxConcurrentRuns)
        .shutdownGrace(shutdownGrace)
        .workerKillGrace(workerKillGrace)
        .stalledStreamTimeout(stalledStreamTimeout)
        .profilingEnabled(profiling)
        .profilingEngine(profilingEngine)
        .rawJfrEnabled(allowRawJfr)
        .workerJvmOptions(workerJvmOptions)
        .recentRuns(recentRuns)
        .maxWatchers(maxWatchers)
        .peers(peers)
        .build();
  }

  TransportLimits limits() {
    return new TransportLimits(
        maxCallsPerConnection,
        maxRstPerWindow,
        rstWindow,
        keepAliveTime,
        keepAliveTimeout,
        permitKeepAliveTime,
        handshakeTimeout,
        maxInboundMessageBytes,
        maxInboundMetadataBytes);
  }

  /** {@code builder} with {@code limits} set. */
  static NettyServerBuilder limited(NettyServerBuilder builder, TransportLimits limits) {
    builder
        .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
        .keepAliveTime(limits.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(limits.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveTime(limits.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .handshakeTimeout(limits.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .maxInboundMessageSize(limits.maxInboundMessageBytes())
        .maxInboundMetadataSize(limits.maxInboundMetadataBytes());
    if (limits.maxRstPerWindow() > 0) {
      builder.maxRstFramesPerWindow(limits.maxRstPerWindow(), (int) limits.rstWindow().toSeconds());
    }
    return builder;
  }

  AuthPolicy auth() throws IOException {
    Map<Role, Requirement> needs = new EnumMap<>(Role.class);
    needs.put(Role.COMPUTE, requirement("--auth-compute", authCompute));
    needs.put(Role.PROFILE, requirement("--auth-profile", authProfile));
    needs.put(Role.RAW_JFR, requirement("--auth-raw-jfr", authRawJfr));
    needs.put(Role.WATCH, requirement("--auth-watch", authWatch));
    AuthPolicy policy =
        new AuthPolicy(
            needs,
            tokensFile == null ? Tokens.none() : Tokens.read(tokensFile.toPath()),
            allowPlaintextTokens);
    if (policy.acceptsCertificates() && tlsClientCa == null) {
      throw new IllegalArgumentException(
          "a policy that accepts client certificates needs --tls-client-ca");
    }
    return policy;
  }

  private static Requirement requirement(String flag, String value) {
    try {
      return Requirement.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + "=" + e.getMessage());
    }
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig config;
    TransportLimits limits;
    AuthPolicy auth;
    try {
      config = config();
      limits = limits();
      auth = auth();
    } catch (IllegalArgumentException | IOException e) {
      throw new CommandLine.ParameterException(commandLine(), e.getMessage());
    }
    ClusterCredentials cluster;
    try {
      cluster = config.peers().isEmpty() ? null : clusterCredentials();
    } catch (IllegalArgumentException | IOException e) {
      throw new CommandLine.ParameterException(commandLine(), e.getMessage());
    }
    boolean takesTokens =
        java.util.Arrays.stream(Role.values()).anyMatch(r -> auth.requirement(r).acceptsToken());
    if (takesTokens && tlsCertChain == null && !allowPlaintextTokens) {
      throw new CommandLine.ParameterException(
          commandLine(),
          "access rules that take bearer tokens need TLS (--tls-cert-chain): over plaintext a"
              + " token can be read and replayed; --allow-plaintext-tokens takes them from"
              + " loopback clients only, for tests");
    }
    if (allowPlaintextTokens && tlsCertChain == null) {
      LOG.log(
          Level.WARNING,
          "--allow-plaintext-tokens: bearer tokens are accepted in the clear from loopback"
              + " clients; never expose this server");
    }
    if (httpPort < -1 || httpPort > 65_535) {
      throw new CommandLine.ParameterException(
          commandLine(), "--http-port=" + httpPort + " outside [-1, 65535]");
    }
    LogFormat.install(logFormat);
    InetAddress address;
    try {
      address = InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw new CommandLine.ParameterException(
          commandLine(), "--bind=" + bind + " is not an address of this host");
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FibServer.Builder parts =
        FibServer.newBuilder(
                limited(
                    NettyServerBuilder.forAddress(
                        new InetSocketAddress(address, config.port()), credentials()),
                    limits),
                config)
            .registry(registry)
            .observations(Tracing.fromEnvironment(System.getenv()))
            .auth(auth);
    if (cluster != null) {
      parts.cluster(cluster);
    }
    FibServer server = parts.build();
    HttpEndpoints http = null;
    try {
      server.start();
      if (httpPort >= 0) {
        http =
            new HttpEndpoints(
                    new InetSocketAddress(address, httpPort),
                    server.runs(),
                    registry.getPrometheusRegistry(),
                    config.maxWatchers(),
                    auth,
                    httpsContext())
                .health(server::isServing)
                .start();
        LOG.log(
            Level.INFO,
            "fibperf dashboard at {0}://{1}:{2,number,#}/ (metrics at /metrics)",
            new Object[] {
              tlsCertChain == null ? "http" : "https",
              address.isAnyLocalAddress() ? "localhost" : bind,
              http.port()
            });
      }
    } catch (IOException e) {
      System.err.println("fibperf-server: cannot listen: " + rootMessage(e));
      server.stop();
      return 1;
    }
    CountDownLatch drained = new CountDownLatch(1);
    Runnable drain =
        () -> {
          try {
            server.stop();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            drained.countDown();
          }
        };
    // A signal handler rather than a shutdown hook: the JVM would exit 143 after a hook.
    for (String signal : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(
          new sun.misc.Signal(signal), s -> new Thread(drain, "fibperf-drain").start());
    }
    drained.await();
    if (http != null) {
      http.close();
    }
    return 0;
  }

  /**
   * How this replica's peer calls are made and checked: TLS to peers the cluster CA vouches for, or
   * plaintext between loopback addresses when asked for by name; the cluster secret either way.
   */
  private ClusterCredentials clusterCredentials() throws IOException {
    if (clusterSecretFile == null) {
      throw new IllegalArgumentException(
          "--peers needs --cluster-secret-file: without the cluster's secret anyone could hand"
              + " this replica work, past every limit of the public service");
    }
    String secret = ClusterCredentials.readSecret(clusterSecretFile.toPath());
    if (insecurePlaintextPeers) {
      if (tlsCertChain != null) {
        throw new IllegalArgumentException(
            ClusterCredentials.PLAINTEXT_FLAG
                + " and --tls-cert-chain: peers use TLS when the"
                + " server does; drop the flag");
      }
      LOG.log(
          Level.WARNING,
          ClusterCredentials.PLAINTEXT_FLAG
              + ": peer calls are plaintext, to and from loopback addresses only; the cluster"
              + " secret crosses loopback in the clear");
      return ClusterCredentials.plaintextOnLoopback(secret);
    }
    if (tlsCertChain == null) {
      throw new IllegalArgumentException(
          "--peers needs TLS (--tls-cert-chain and --tls-private-key): peer calls carry the"
              + " cluster secret, which must not cross the network in the clear; "
              + ClusterCredentials.PLAINTEXT_FLAG
              + " allows plaintext between loopback addresses, for tests");
    }
    return ClusterCredentials.tls(
        secret, clusterCa == null ? tlsCertChain : clusterCa, tlsCertChain, tlsPrivateKey);
  }

  /** The gRPC port's certificate for the HTTP port too, or null when it serves plaintext. */
  private SSLContext httpsContext() throws IOException {
    return tlsCertChain == null ? null : httpsContext(tlsCertChain, tlsPrivateKey);
  }

  /** A server-side TLS context from a PEM certificate chain and PKCS#8 key, as gRPC reads them. */
  public static SSLContext httpsContext(File tlsCertChain, File tlsPrivateKey) throws IOException {
    try (InputStream chainIn = new FileInputStream(tlsCertChain);
        InputStream keyIn = new FileInputStream(tlsPrivateKey)) {
      X509Certificate[] chain = CertificateUtils.getX509Certificates(chainIn);
      PrivateKey key = CertificateUtils.getPrivateKey(keyIn);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      store.setKeyEntry("fibperf", key, password, chain);
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(keys.getKeyManagers(), null, null);
      return tls;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "cannot serve HTTPS with " + tlsCertChain + " and " + tlsPrivateKey + ": " + e, e);
    }
  }

  private ServerCredentials credentials() {
    if (tlsCertChain == null && tlsPrivateKey == null) {
      if (tlsClientCa != null) {
        throw new CommandLine.ParameterException(
            commandLine(), "--tls-client-ca needs --tls-cert-chain and --tls-private-key");
      }
      return InsecureServerCredentials.create();
    }
    if (tlsCertChain == null || tlsPrivateKey == null) {
      throw new CommandLine.ParameterException(
          commandLine(), "--tls-cert-chain and --tls-private-key go together");
    }
    try {
      TlsServerCredentials.Builder tls =
          TlsServerCredentials.newBuilder().keyManager(tlsCertChain, tlsPrivateKey);
      if (tlsClientCa != null) {
        // Asked for, not required: which calls need one is the access policy's business, and a
        // caller with a token may have none. A certificate that is sent must verify.
        tls.trustManager(tlsClientCa).clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
      }
      return tls.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          commandLine(), "cannot use the TLS certificate or key: " + rootMessage(e));
    }
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The command line being run (its error stream is where usage errors go), or a fresh one. */
  private CommandLine commandLine() {
    return spec == null ? new CommandLine(this) : spec.commandLine();
  }

  public static void main(String[] args) {
    LogFormat.install(LogFormat.Kind.TEXT); // until the options say otherwise
    int code = new CommandLine(new Main()).execute(args);
    System.exit(code);
  }
}
