package dev.fibperf.client;

import java.time.Duration;
import java.util.List;

/**
 * What Java Flight Recorder sampled on a call's worker threads while its tasks ran.
 *
 * @param self top methods by self samples (top frame), as {@code jfr view hot-methods} shows
 * @param total top methods by inclusive samples (on the stack, once per sample)
 * @param totalSamples samples attributed to the call
 * @param samplingPeriod the period asked for
 * @param samplesPerSecond samples per second of task time actually delivered
 * @param duration the sampled span
 * @param gcCount garbage collections in that span
 * @param gcPause their summed pauses
 * @param jitCompilations JIT compilations finished in that span
 */
public record Profile(
    List<HotMethod> self,
    List<HotMethod> total,
    long totalSamples,
    Duration samplingPeriod,
    double samplesPerSecond,
    Duration duration,
    int gcCount,
    Duration gcPause,
    int jitCompilations) {
  public Profile {
    self = List.copyOf(self);
    total = List.copyOf(total);
  }
}
