package dev.fibperf.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.client.Algorithm;
import dev.fibperf.client.ArtifactFormat;
import dev.fibperf.client.PoolKind;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Every SDK enum and time value survives the trip to the wire and back. */
class ProtoMappingTest {
  @Test
  void everyEnumConstant_mapsBothWays() {
    for (Algorithm a : Algorithm.values()) {
      assertEquals(a, ProtoMapping.algorithm(ProtoMapping.algorithm(a)));
    }
    for (PoolKind p : PoolKind.values()) {
      assertEquals(p, ProtoMapping.pool(ProtoMapping.pool(p)));
    }
    for (ArtifactFormat f : ArtifactFormat.values()) {
      assertEquals(f, ProtoMapping.format(ProtoMapping.format(f)));
    }
  }

  @Test
  void unspecifiedMeansTheServersDefault_andAnUnknownValueIsNamed() {
    assertEquals(
        Algorithm.NAIVE,
        ProtoMapping.algorithm(dev.fibperf.proto.v1.Algorithm.ALGORITHM_UNSPECIFIED));
    assertEquals(
        PoolKind.THREADS, ProtoMapping.pool(dev.fibperf.proto.v1.PoolKind.POOL_KIND_UNSPECIFIED));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> ProtoMapping.format(dev.fibperf.proto.v1.ArtifactChunk.Format.UNRECOGNIZED));
    assertEquals(true, e.getMessage().contains("newer server"), e.getMessage());
  }

  @Test
  void durationsAndInstants_roundTripToTheNanosecond() {
    Duration d = Duration.ofSeconds(3, 123_456_789);
    Instant i = Instant.parse("2026-12-01T19:56:31.993559835Z");

    assertEquals(d, ProtoMapping.duration(ProtoMapping.duration(d)));
    assertEquals(
        i,
        ProtoMapping.instant(
            com.google.protobuf.Timestamp.newBuilder()
                .setSeconds(i.getEpochSecond())
                .setNanos(i.getNano())
                .build()));
  }

  @Test
  void anEstimateWithCoreWaitRemoved_mapsItsInterval_andWithoutItIsEmpty() {
    dev.fibperf.proto.v1.SpeedupEstimate.Builder e =
        dev.fibperf.proto.v1.SpeedupEstimate.newBuilder().setSpeedup(1.5).setRounds(9);
    assertTrue(ProtoMapping.estimate(e.build()).coreWaitRemoved().isEmpty());
    e.setCoreWaitRemoved(
        dev.fibperf.proto.v1.CoreWaitRemoved.newBuilder()
            .setSpeedup(1.78)
            .setSpeedupLow(1.7)
            .setSpeedupHigh(1.86)
            .setRoundsUsed(9));
    dev.fibperf.client.SpeedupEstimate.CoreWaitRemoved removed =
        ProtoMapping.estimate(e.build()).coreWaitRemoved().orElseThrow();
    assertEquals(1.78, removed.speedup());
    assertEquals(1.7, removed.low().getAsDouble());
    assertEquals(1.86, removed.high().getAsDouble());
    assertEquals(9, removed.roundsUsed());
  }

  @Test
  void aWorkloadNamingAKernel_sendsTheNameAndNoAlgorithm() {
    dev.fibperf.client.Workload w =
        dev.fibperf.client.Workload.of(1000).withKernel("pbkdf2-sha256");
    assertEquals("pbkdf2-sha256", Requests.serial(w).getKernel());
    assertEquals(
        dev.fibperf.proto.v1.Algorithm.ALGORITHM_UNSPECIFIED,
        Requests.compare(w, dev.fibperf.client.CompareOptions.DEFAULT).getAlgorithm());
    assertEquals(
        dev.fibperf.proto.v1.Algorithm.ALGORITHM_NAIVE,
        Requests.serial(dev.fibperf.client.Workload.of(10)).getAlgorithm());
    assertEquals("", Requests.serial(dev.fibperf.client.Workload.of(10)).getKernel());
  }
}
