package dev.fibperf.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What one connection may ask of the gRPC port, each with a default safe for a server on a network
 * anyone can reach. gRPC's own defaults are unbounded streams per connection, no rapid-reset limit,
 * a 4 MiB message and 8 KiB of metadata, a 2-hour keepalive and a 2-minute handshake.
 *
 * @param maxConcurrentCallsPerConnection streams one connection may have open at once (HTTP/2
 *     MAX_CONCURRENT_STREAMS); more wait on the client
 * @param maxRstPerWindow RST_STREAM frames a client may send per {@code rstWindow} before the
 *     connection is closed (CVE-2023-44487, "rapid reset"); 0 turns the limit off
 * @param rstWindow the window for {@code maxRstPerWindow}
 * @param keepAliveTime how long a connection may be silent before the server pings it
 * @param keepAliveTimeout how long the server waits for the ping's answer before closing
 * @param permitKeepAliveTime the most often a client may ping; more often is answered with GOAWAY
 * @param handshakeTimeout how long a new connection has to complete TLS and the HTTP/2 preface
 * @param maxInboundMessageBytes the largest request message (the largest valid request is a few
 *     KiB)
 * @param maxInboundMetadataBytes the largest request headers
 */
public record TransportLimits(
    int maxConcurrentCallsPerConnection,
    int maxRstPerWindow,
    Duration rstWindow,
    Duration keepAliveTime,
    Duration keepAliveTimeout,
    Duration permitKeepAliveTime,
    Duration handshakeTimeout,
    int maxInboundMessageBytes,
    int maxInboundMetadataBytes) {

  public static final TransportLimits DEFAULTS =
      new TransportLimits(
          100,
          200,
          Duration.ofSeconds(1),
          Duration.ofMinutes(1),
          Duration.ofSeconds(20),
          Duration.ofSeconds(10),
          Duration.ofSeconds(10),
          256 << 10,
          8 << 10);

  public TransportLimits {
    positive("maxConcurrentCallsPerConnection", maxConcurrentCallsPerConnection);
    if (maxRstPerWindow < 0) {
      throw new IllegalArgumentException("maxRstPerWindow=" + maxRstPerWindow + " is negative");
    }
    positive("rstWindow", rstWindow);
    positive("keepAliveTime", keepAliveTime);
    positive("keepAliveTimeout", keepAliveTimeout);
    positive("permitKeepAliveTime", permitKeepAliveTime);
    positive("handshakeTimeout", handshakeTimeout);
    positive("maxInboundMessageBytes", maxInboundMessageBytes);
    positive("maxInboundMetadataBytes", maxInboundMetadataBytes);
    if (rstWindow.toSeconds() < 1 || rstWindow.toNanos() % 1_000_000_000 != 0) {
      throw new IllegalArgumentException(
          "rstWindow=" + rstWindow + " must be a whole number of seconds (gRPC counts in seconds)");
    }
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + "=" + value + " must be at least 1");
    }
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + "=" + value + " must be positive");
    }
  }
}
