package dev.fibperf.server.tracing;

import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.List;
import java.util.Map;

/**
 * Observations that become OpenTelemetry traces: micrometer's Observation API (whose gRPC
 * interceptors trace each call and carry the trace context in its metadata) on micrometer-tracing's
 * OpenTelemetry bridge.
 */
public final class Tracing {
  private Tracing() {}

  /**
   * Tracing exported over OTLP when the usual OpenTelemetry settings ask for it ({@code
   * OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} or {@code
   * OTEL_TRACES_EXPORTER}, not {@code OTEL_SDK_DISABLED=true}), configured by the SDK's own
   * autoconfiguration from them; otherwise no tracing at all, at no cost.
   */
  public static ObservationRegistry fromEnvironment(Map<String, String> env) {
    if (!enabled(env)) {
      return ObservationRegistry.NOOP;
    }
    OpenTelemetry otel = AutoConfiguredOpenTelemetrySdk.initialize().getOpenTelemetrySdk();
    return registry(otel);
  }

  static boolean enabled(Map<String, String> env) {
    if ("true".equalsIgnoreCase(env.get("OTEL_SDK_DISABLED"))) {
      return false;
    }
    String exporter = env.get("OTEL_TRACES_EXPORTER");
    if (exporter != null) {
      return !exporter.isBlank() && !"none".equalsIgnoreCase(exporter);
    }
    return env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT")
        || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  }

  /**
   * An observation registry whose observations are spans of {@code otel}: received calls continue
   * the caller's trace, sent calls pass theirs on, everything else is a child of what is current.
   */
  public static ObservationRegistry registry(OpenTelemetry otel) {
    io.opentelemetry.api.trace.Tracer otelTracer = otel.getTracer("dev.fibperf");
    OtelCurrentTraceContext context = new OtelCurrentTraceContext();
    OtelTracer tracer =
        new OtelTracer(
            otelTracer,
            context,
            event -> {},
            new OtelBaggageManager(context, List.of(), List.of()));
    OtelPropagator propagator = new OtelPropagator(otel.getPropagators(), otelTracer);
    ObservationRegistry registry = ObservationRegistry.create();
    registry
        .observationConfig()
        .observationHandler(
            new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                new DefaultTracingObservationHandler(tracer)));
    return registry;
  }
}
