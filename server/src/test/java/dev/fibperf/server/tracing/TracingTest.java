package dev.fibperf.server.tracing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.observation.ObservationRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tracing is on exactly when the standard OpenTelemetry settings ask for an exporter. */
class TracingTest {
  @Test
  void enabled_followsTheOtelSettings() {
    assertFalse(Tracing.enabled(Map.of()));
    assertTrue(Tracing.enabled(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")));
    assertTrue(Tracing.enabled(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318")));
    assertTrue(Tracing.enabled(Map.of("OTEL_TRACES_EXPORTER", "otlp")));
    assertFalse(Tracing.enabled(Map.of("OTEL_TRACES_EXPORTER", "none")));
    assertFalse(
        Tracing.enabled(
            Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "OTEL_SDK_DISABLED", "true")));
  }

  @Test
  void withoutSettings_theRegistryIsTheNoopOne() {
    assertSame(ObservationRegistry.NOOP, Tracing.fromEnvironment(Map.of()));
  }
}
