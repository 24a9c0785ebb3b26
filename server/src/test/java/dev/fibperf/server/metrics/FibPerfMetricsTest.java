package dev.fibperf.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.Algorithm;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.http.HttpEndpoints;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class FibPerfMetricsTest {
  @Test
  void realCalls_showUpInGrpcPoolTaskAndJvmMeters() throws Exception {
    String name = InProcessServerBuilder.generateName();
    FibServer server =
        new FibServer(
                InProcessServerBuilder.forName(name), ServerConfig.newBuilder().workers(2).build())
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    FibPerfServiceGrpc.FibPerfServiceBlockingStub stub =
        FibPerfServiceGrpc.newBlockingStub(channel);
    MeterRegistry registry = server.metrics().registry();

    stub.serial(SerialRequest.getDefaultInstance()).forEachRemaining(r -> {});
    stub.parallel(
            ParallelRequest.newBuilder()
                .addAllNums(List.of(90, 91))
                .setAlgorithm(Algorithm.ALGORITHM_FAST_DOUBLING)
                .build())
        .forEachRemaining(r -> {});
    assertThrows(
        StatusRuntimeException.class,
        () ->
            stub.serial(SerialRequest.newBuilder().addNums(99).build()).forEachRemaining(r -> {}));
    channel.shutdownNow();
    server.stop();

    assertEquals(
        1,
        registry
            .get("grpc.server.processing.duration")
            .tags("method", "Serial", "status_code", "OK")
            .timer()
            .count());
    assertEquals(
        1,
        registry
            .get("grpc.server.processing.duration")
            .tags("method", "Serial", "status_code", "INVALID_ARGUMENT")
            .timer()
            .count());
    assertEquals(
        4, registry.get(FibPerfMetrics.TASK_DURATION).tag("algorithm", "NAIVE").timer().count());
    assertEquals(
        2,
        registry
            .get(FibPerfMetrics.TASK_DURATION)
            .tag("algorithm", "FAST_DOUBLING")
            .timer()
            .count());
    // Hand-offs, not Fibonacci tasks: with no other run queued, a worker keeps its run's next
    // task, so the serial run is one hand-off and the two-task parallel run is two.
    assertEquals(
        3.0,
        registry
            .get("executor.completed")
            .tag("name", FibPerfMetrics.POOL_NAME)
            .functionCounter()
            .count());
    assertEquals(0.0, registry.get(FibPerfMetrics.ACTIVE_RUNS).gauge().value());
    assertTrue(registry.get("jvm.gc.max.data.size").gauge().value() > 0);
    assertTrue(registry.get("jvm.memory.used").gauges().size() > 0);
    assertTrue(registry.get("process.cpu.usage").gauge().value() >= 0);
  }

  @Test
  void prometheusEndpoint_servesTheTextFormat() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String name = InProcessServerBuilder.generateName();
    FibServer server =
        new FibServer(
                InProcessServerBuilder.forName(name),
                ServerConfig.newBuilder().workers(1).build(),
                registry)
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    FibPerfServiceGrpc.newBlockingStub(channel)
        .serial(SerialRequest.newBuilder().addNums(20).build())
        .forEachRemaining(r -> {});

    try (HttpEndpoints http =
        new HttpEndpoints(
                new java.net.InetSocketAddress("127.0.0.1", 0),
                server.lookup(),
                registry.getPrometheusRegistry(),
                1)
            .start()) {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertEquals(200, response.statusCode());
      assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      assertTrue(
          response
              .body()
              .contains(
                  "fibperf_task_duration_seconds_count{algorithm=\"NAIVE\",kernel=\"fib-naive\"} 1"),
          response.body());
      assertTrue(response.body().contains("grpc_server_processing_duration_seconds_count{"));
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }
}
