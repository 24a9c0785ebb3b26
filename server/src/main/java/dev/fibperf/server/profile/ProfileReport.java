package dev.fibperf.server.profile;

import java.time.Duration;
import java.util.HashMap;
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
 * @param busy the task windows' lengths summed (the time samples could come from)
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
    Map<String, Long> collapsedStacks,
    Duration busy) {
  public ProfileReport {
    self = List.copyOf(self);
    total = List.copyOf(total);
    collapsedStacks = Map.copyOf(collapsedStacks);
  }

  /**
   * Adds up the profiles of several JVMs (worker processes) that each hold every method, and keeps
   * the top {@code top} of each view. The duration of the result is the summed task windows.
   */
  public static ProfileReport merge(List<ProfileReport> parts, Duration samplingPeriod, int top) {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> total = new HashMap<>();
    Map<String, Long> collapsed = new HashMap<>();
    long samples = 0;
    int gcCount = 0;
    Duration gcPause = Duration.ZERO;
    int jit = 0;
    Duration busy = Duration.ZERO;
    for (ProfileReport p : parts) {
      p.self().forEach(m -> self.merge(m.method(), m.samples(), Long::sum));
      p.total().forEach(m -> total.merge(m.method(), m.samples(), Long::sum));
      p.collapsedStacks().forEach((stack, n) -> collapsed.merge(stack, n, Long::sum));
      samples += p.totalSamples();
      gcCount += p.gcCount();
      gcPause = gcPause.plus(p.gcPause());
      jit += p.jitCompilations();
      busy = busy.plus(p.busy());
    }
    double seconds = busy.toNanos() / 1e9;
    return new ProfileReport(
        SampleAttribution.topN(self, samples, top),
        SampleAttribution.topN(total, samples, top),
        samples,
        samplingPeriod,
        seconds > 0 ? samples / seconds : 0,
        busy,
        gcCount,
        gcPause,
        jit,
        collapsed,
        busy);
  }
}
