package dev.fibperf.client;

import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.tracing.Tracing;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcClientInterceptor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A call from the SDK and the run it starts share one trace: the client and the server each have
 * their own OpenTelemetry SDK and in-memory exporter, so the server's spans can only join the
 * client's trace through the call's metadata, over a real socket.
 */
class TracingTest {
  @Test
  void sdkCall_andTheRunItStarts_shareOneTrace_callPhaseTasks() throws Exception {
    InMemorySpanExporter serverSpans = InMemorySpanExporter.create();
    InMemorySpanExporter clientSpans = InMemorySpanExporter.create();
    FibServer server =
        FibServer.newBuilder(
                Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()),
                ServerConfig.newBuilder().workers(2).build())
            .observations(Tracing.registry(otel(serverSpans)))
            .build()
            .start();
    try (FibPerfClient client =
        FibPerfClient.create(
            FibPerfSettings.newBuilder("127.0.0.1:" + server.port())
                .interceptors(
                    new ObservationGrpcClientInterceptor(Tracing.registry(otel(clientSpans))))
                .build())) {
      client.parallel(Workload.of(20, 21, 22).withParallelism(2));
    } finally {
      await("the server's spans").until(() -> serverSpans.getFinishedSpanItems().size() >= 5);
      server.stop();
    }

    SpanData call = only(clientSpans.getFinishedSpanItems(), SpanKind.CLIENT);
    List<SpanData> spans = serverSpans.getFinishedSpanItems();
    SpanData served = only(spans, SpanKind.SERVER);
    List<SpanData> phases = named(spans, "parallel phase");
    List<SpanData> tasks = spans.stream().filter(s -> s.getName().startsWith("task fib(")).toList();

    assertEquals(
        Set.of(call.getTraceId()),
        spans.stream().map(SpanData::getTraceId).collect(Collectors.toSet()),
        "every server span is in the client's trace");
    assertEquals(call.getSpanId(), served.getParentSpanId(), "the context crossed the wire");
    assertTrue(served.getName().contains("Parallel"), served.getName());
    assertEquals(1, phases.size(), spans.toString());
    assertEquals(served.getSpanId(), phases.get(0).getParentSpanId());
    assertEquals(3, tasks.size(), spans.toString());
    for (SpanData task : tasks) {
      assertEquals(phases.get(0).getSpanId(), task.getParentSpanId(), task.toString());
      String n = task.getAttributes().get(AttributeKey.stringKey("fibperf.task.n"));
      assertEquals("task fib(" + n + ")", task.getName());
      assertTrue(
          task.getStartEpochNanos() >= phases.get(0).getStartEpochNanos()
              && task.getEndEpochNanos() <= phases.get(0).getEndEpochNanos(),
          "a task's span lies inside its phase's");
    }
  }

  private static OpenTelemetrySdk otel(InMemorySpanExporter exporter) {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  private static SpanData only(List<SpanData> spans, SpanKind kind) {
    List<SpanData> of = spans.stream().filter(s -> s.getKind() == kind).toList();
    assertEquals(1, of.size(), spans.toString());
    return of.get(0);
  }

  private static List<SpanData> named(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).toList();
  }
}
