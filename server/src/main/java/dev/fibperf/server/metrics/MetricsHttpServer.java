package dev.fibperf.server.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Serves {@code GET /metrics} in the Prometheus text format, rendered by micrometer's Prometheus
 * registry, on the JDK's built-in HTTP server. Owns that server: {@link #close()} stops it.
 */
public final class MetricsHttpServer implements AutoCloseable {
  private final HttpServer server;

  /**
   * @param port TCP port; 0 picks a free one
   */
  public MetricsHttpServer(int port, PrometheusMeterRegistry registry) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
          exchange
              .getResponseHeaders()
              .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
