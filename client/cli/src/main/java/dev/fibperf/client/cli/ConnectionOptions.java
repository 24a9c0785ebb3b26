package dev.fibperf.client.cli;

import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfSettings;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** Where and how to connect; shared by every subcommand. */
final class ConnectionOptions {
  @Option(
      names = "--target",
      defaultValue = "${env:FIBPERF_TARGET:-localhost:50051}",
      description =
          "Server address host:port, or a gRPC target such as dns:///fibperf-headless:50051"
              + " (FIBPERF_TARGET, default ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--lb",
      defaultValue = "pick_first",
      paramLabel = "<policy>",
      description =
          "Spread calls over the target's addresses: pick_first (default) or round_robin"
              + " (all replicas in turn, skipping any that is draining or down).")
  String lb = "pick_first";

  @Option(names = "--tls", description = "Use TLS (trusting the system CAs unless --ca-cert).")
  boolean tls;

  @Option(
      names = "--ca-cert",
      paramLabel = "<pem>",
      description = "PEM CA certificates to trust for TLS; implies --tls.")
  Path caCert;

  @Option(
      names = "--token-file",
      paramLabel = "<file>",
      description =
          "Send the bearer token in this file (TLS only); FIBPERF_TOKEN gives the token itself.")
  Path tokenFile;

  @Option(
      names = "--client-cert",
      paramLabel = "<pem>",
      description = "Prove this client with a certificate (mutual TLS; needs --client-key).")
  Path clientCert;

  @Option(
      names = "--client-key",
      paramLabel = "<pem>",
      description = "The PEM PKCS#8 private key of --client-cert.")
  Path clientKey;

  @Option(
      names = "--deadline",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      description =
          "Give each call at most this long, e.g. 30s or 500ms (default: no limit); the server"
              + " stops the work of a call that runs out of time.")
  Duration deadline;

  FibPerfSettings settings() {
    FibPerfSettings.Builder b = FibPerfSettings.newBuilder(target).defaultDeadline(deadline);
    try {
      b.loadBalancing(lb);
    } catch (IllegalArgumentException e) {
      throw new FibPerfCli.UsageException("--lb=" + lb + " is not one of pick_first, round_robin");
    }
    if (caCert != null) {
      b.tls(caCert);
    } else if (tls || clientCert != null) {
      b.tls();
    }
    String token = token();
    if (token != null) {
      b.bearerToken(token);
    }
    if ((clientCert == null) != (clientKey == null)) {
      throw new FibPerfCli.UsageException("--client-cert and --client-key go together");
    }
    if (clientCert != null) {
      b.clientCertificate(clientCert, clientKey);
    }
    return b.build();
  }

  /**
   * The CLI's own one-thread event loop rather than gRPC's shared one, so that {@link #release()}
   * can stop it before the JVM exits: exit waits up to 300 ms for any thread still in native code,
   * and the shared group's selector thread stays parked in epoll_wait (measured in BENCHMARKS.md,
   * "CLI start-up").
   */
  private EventLoopGroup eventLoop;

  static final String EVENT_LOOP_THREAD = "fibperf-cli-io";

  /**
   * The token from --token-file, else from FIBPERF_TOKEN; never from the command line, where {@code
   * ps} would show it.
   */
  private String token() {
    if (tokenFile != null) {
      try {
        return java.nio.file.Files.readString(tokenFile).strip();
      } catch (java.io.IOException e) {
        throw new FibPerfCli.UsageException(
            "--token-file=" + tokenFile + ": cannot read it (" + e.getMessage() + ")");
      }
    }
    String env = System.getenv("FIBPERF_TOKEN");
    return env == null || env.isBlank() ? null : env;
  }

  FibPerfClient connect() {
    return FibPerfClient.create(
        settings(),
        builder -> {
          if (builder instanceof NettyChannelBuilder netty) {
            eventLoop =
                new MultiThreadIoEventLoopGroup(
                    1,
                    new DefaultThreadFactory(EVENT_LOOP_THREAD, true),
                    NioIoHandler.newFactory());
            netty.eventLoopGroup(eventLoop).channelType(NioSocketChannel.class);
          }
        });
  }

  /** Stops the event loop once the client is closed; its channel has no more work for it. */
  void release() {
    if (eventLoop != null) {
      eventLoop
          .shutdownGracefully(0, 1, TimeUnit.SECONDS)
          .awaitUninterruptibly(1, TimeUnit.SECONDS);
      eventLoop = null;
    }
  }
}
