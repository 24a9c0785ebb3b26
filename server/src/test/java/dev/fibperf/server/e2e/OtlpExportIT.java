package dev.fibperf.server.e2e;

import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.server.testing.ServerProcess;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The packaged server exports its spans over OTLP when the standard OTEL_* variables say so, and
 * sends nothing when they do not. The collector is a bare HTTP endpoint that records what it is
 * sent.
 */
class OtlpExportIT {
  @Test
  void otelEndpointSet_spansArePostedToIt_otherwiseNothing() throws Exception {
    List<String> posts = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          posts.add(exchange.getRequestURI().getPath() + " " + body.length);
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.start();
    String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
    try {
      try (ServerProcess plain = new ServerProcess("--no-profiling")) {
        call(plain);
      }
      assertTrue(posts.isEmpty(), "without OTEL_* settings nothing is exported: " + posts);

      try (ServerProcess traced =
          new ServerProcess(
              Map.of(
                  "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint,
                  "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                  "OTEL_METRICS_EXPORTER", "none",
                  "OTEL_LOGS_EXPORTER", "none",
                  "OTEL_BSP_SCHEDULE_DELAY", "100",
                  "OTEL_SERVICE_NAME", "fibperf"),
              "--no-profiling",
              "--log-format=json")) {
        Metadata caller = new Metadata();
        caller.put(
            Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
            "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
        call(traced, caller);
        await("spans at the collector")
            .until(() -> posts.stream().anyMatch(p -> p.startsWith("/v1/traces ")));
        // The access line names the trace the caller started, so logs and traces join.
        ServerJarIT.awaitLog(traced, "\"rpc.method\":\"Serial\"");
        String access =
            traced.log.stream().filter(l -> l.contains("\"rpc.method\"")).findFirst().get();
        assertEquals(
            TRACE_ID,
            JsonParser.parseString(access).getAsJsonObject().get("trace.id").getAsString(),
            access);
      }
      assertTrue(
          posts.stream()
              .filter(p -> p.startsWith("/v1/traces "))
              .allMatch(p -> Integer.parseInt(p.split(" ")[1]) > 0),
          posts.toString());
    } finally {
      collector.stop(0);
    }
  }

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  private static void call(ServerProcess server) {
    call(server, new Metadata());
  }

  private static void call(ServerProcess server, Metadata headers) {
    ManagedChannel channel =
        Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
    FibPerfServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .serial(SerialRequest.newBuilder().addNums(20).addNums(21).build())
        .forEachRemaining(r -> {});
    channel.shutdownNow();
  }
}
