package dev.fibperf.server.launch;

import dev.fibperf.server.config.TransportLimits;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** What one connection may cost the server: calls, resets, keep-alives, handshakes, sizes. */
public final class TransportOptions {
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
      converter = Converters.DurationOption.class,
      description =
          "The window for --max-rst-per-window, whole seconds (default ${DEFAULT-VALUE}).")
  Duration rstWindow;

  @Option(
      names = "--keepalive-time",
      paramLabel = "<duration>",
      defaultValue = "${env:FIBPERF_KEEPALIVE_TIME:-1m}",
      converter = Converters.DurationOption.class,
      description = "Ping a connection silent this long (default ${DEFAULT-VALUE}).")
  Duration keepAliveTime;

  @Option(
      names = "--keepalive-timeout",
      paramLabel = "<duration>",
      defaultValue = "${env:FIBPERF_KEEPALIVE_TIMEOUT:-20s}",
      converter = Converters.DurationOption.class,
      description =
          "Close a connection whose ping is unanswered this long (default ${DEFAULT-VALUE}).")
  Duration keepAliveTimeout;

  @Option(
      names = "--permit-keepalive-time",
      paramLabel = "<duration>",
      defaultValue = "${env:FIBPERF_PERMIT_KEEPALIVE_TIME:-10s}",
      converter = Converters.DurationOption.class,
      description =
          "The most often a client may ping; more often gets GOAWAY (default ${DEFAULT-VALUE}).")
  Duration permitKeepAliveTime;

  @Option(
      names = "--handshake-timeout",
      paramLabel = "<duration>",
      defaultValue = "${env:FIBPERF_HANDSHAKE_TIMEOUT:-10s}",
      converter = Converters.DurationOption.class,
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

  public TransportLimits limits() {
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
  public static NettyServerBuilder limited(NettyServerBuilder builder, TransportLimits limits) {
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
}
