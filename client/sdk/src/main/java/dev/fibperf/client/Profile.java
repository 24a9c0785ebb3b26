package dev.fibperf.client;

import java.time.Duration;
import java.util.List;

/**
 * What the execution sampler ({@code engine}) saw on a call's worker threads while its tasks ran.
 *
 * @param self top methods by self samples (top frame), as {@code jfr view hot-methods} shows
 * @param total top methods by inclusive samples (on the stack, once per sample)
 * @param totalSamples samples attributed to the call, thinned to the period asked
 * @param samplingPeriod the period asked for
 * @param effectiveSamplingPeriod the finest period the JVM sampled at meanwhile (JFR's period is
 *     JVM-wide; a concurrent finer profile makes it finer)
 * @param samplesPerSecond total samples per second of {@code duration}
 * @param duration the call's task windows summed: the time its samples could come from
 * @param jvmGcCount garbage collections of the whole JVM in the call's span (every call's)
 * @param jvmGcPause their summed pauses
 * @param jvmJitCompilations JIT compilations of the whole JVM finished in that span
 * @param profiledMethodCompilations of those, compilations of methods in this profile's samples
 * @param engine what took the samples: {@code jfr}, or {@code async-profiler <version> (cpu)} or
 *     {@code (itimer)}
 * @param engineNote why {@code engine} is not the one asked for; empty when it is
 */
public record Profile(
    List<HotMethod> self,
    List<HotMethod> total,
    long totalSamples,
    Duration samplingPeriod,
    Duration effectiveSamplingPeriod,
    double samplesPerSecond,
    Duration duration,
    int jvmGcCount,
    Duration jvmGcPause,
    int jvmJitCompilations,
    int profiledMethodCompilations,
    String engine,
    String engineNote) {
  public Profile {
    self = List.copyOf(self);
    total = List.copyOf(total);
  }
}
