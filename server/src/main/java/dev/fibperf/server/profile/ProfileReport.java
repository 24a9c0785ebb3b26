package dev.fibperf.server.profile;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the execution sampler saw on one session's task windows.
 *
 * @param self top methods by self samples (top frame), most first
 * @param total top methods by inclusive samples (any frame, once per sample), most first
 * @param totalSamples samples attributed to the session
 * @param samplingPeriod the period asked for
 * @param samplesPerSecond samples per second of task time actually delivered
 * @param duration from the first task's start to the last task's end
 * @param gcCount garbage collections that started in that span
 * @param gcPause their summed pauses
 * @param jitCompilations JIT compilations that finished in that span
 * @param collapsedStacks each distinct stack, root first, frames joined by ';', with its count
 */
public record ProfileReport(
    List<HotMethod> self,
    List<HotMethod> total,
    long totalSamples,
    Duration samplingPeriod,
    double samplesPerSecond,
    Duration duration,
    int gcCount,
    Duration gcPause,
    int jitCompilations,
    Map<String, Long> collapsedStacks) {
  public ProfileReport {
    self = List.copyOf(self);
    total = List.copyOf(total);
    collapsedStacks = Map.copyOf(collapsedStacks);
  }
}
