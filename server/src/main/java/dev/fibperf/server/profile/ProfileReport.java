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
 * @param totalSamples samples attributed to the session, after thinning to {@code samplingPeriod}
 * @param samplingPeriod the period asked for
 * @param effectiveSamplingPeriod the finest period the JVM sampled at while the session recorded
 *     (JFR's period is JVM-wide: another session asking a finer one makes every session's samples
 *     denser, and they are thinned back to {@code samplingPeriod})
 * @param samplesPerSecond {@code totalSamples} per second of {@code duration}
 * @param duration the session's task windows summed: the time samples could come from
 * @param jvmGcCount garbage collections of the whole JVM that started between the first window's
 *     start and the last one's end: every call's, not only this session's
 * @param jvmGcPause their summed pauses
 * @param jvmJitCompilations JIT compilations of the whole JVM that finished in that span
 * @param profiledMethodCompilations of those, compilations of methods that appear in this profile's
 *     samples: this session's own code warming up
 * @param collapsedStacks each distinct stack, root first, frames joined by ';', with its count
 * @param engine the sampler that took the samples: {@code jfr}, or {@code async-profiler <version>
 *     (<mode>)}
 * @param engineNote why the engine is not the one asked for, or empty
 */
public record ProfileReport(
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
    Map<String, Long> collapsedStacks,
    String engine,
    String engineNote) {
  /** The engine JFR samples with unless a session says otherwise. */
  public static final String JFR = "jfr";

  public ProfileReport {
    self = List.copyOf(self);
    total = List.copyOf(total);
    collapsedStacks = Map.copyOf(collapsedStacks);
  }

  /** A report of JFR's samples. */
  public ProfileReport(
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
      Map<String, Long> collapsedStacks) {
    this(
        self,
        total,
        totalSamples,
        samplingPeriod,
        effectiveSamplingPeriod,
        samplesPerSecond,
        duration,
        jvmGcCount,
        jvmGcPause,
        jvmJitCompilations,
        profiledMethodCompilations,
        collapsedStacks,
        JFR,
        "");
  }

  /** This report, naming the engine that took its samples. */
  public ProfileReport withEngine(String engine, String engineNote) {
    return new ProfileReport(
        self,
        total,
        totalSamples,
        samplingPeriod,
        effectiveSamplingPeriod,
        samplesPerSecond,
        duration,
        jvmGcCount,
        jvmGcPause,
        jvmJitCompilations,
        profiledMethodCompilations,
        collapsedStacks,
        engine,
        engineNote);
  }

  /**
   * A report of stored collapsed stacks only (a finished run read back from the history): enough
   * for its flame graphs and diffs, with no top lists or timing.
   *
   * @param collapsed one stack per line, frames root first joined by ';', a space, its count
   */
  public static ProfileReport ofCollapsed(String collapsed, String engine, Duration period) {
    Map<String, Long> stacks = new HashMap<>();
    long samples = 0;
    for (String line : collapsed.split("\n")) {
      int space = line.lastIndexOf(' ');
      if (space <= 0) {
        continue;
      }
      long count = Long.parseLong(line.substring(space + 1).strip());
      stacks.merge(line.substring(0, space), count, Long::sum);
      samples += count;
    }
    return new ProfileReport(
        List.of(),
        List.of(),
        samples,
        period,
        period,
        0,
        Duration.ZERO,
        0,
        Duration.ZERO,
        0,
        0,
        stacks,
        engine,
        "");
  }

  /** Samples per second of {@code duration}, or 0 for an empty one. */
  static double rate(long samples, Duration duration) {
    double seconds = duration.toNanos() / 1e9;
    return seconds > 0 ? samples / seconds : 0;
  }

  /**
   * Adds up the profiles of several JVMs (worker processes) that each hold every method, and keeps
   * the top {@code top} of each view. Durations, counts and compilations add up; the effective
   * period is the finest of the parts'.
   */
  public static ProfileReport merge(List<ProfileReport> parts, Duration samplingPeriod, int top) {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> total = new HashMap<>();
    Map<String, Long> collapsed = new HashMap<>();
    long samples = 0;
    int gcCount = 0;
    Duration gcPause = Duration.ZERO;
    int jit = 0;
    int profiledJit = 0;
    Duration duration = Duration.ZERO;
    Duration effective = samplingPeriod;
    java.util.Set<String> engines = new java.util.TreeSet<>();
    java.util.Set<String> notes = new java.util.TreeSet<>();
    for (ProfileReport p : parts) {
      engines.add(p.engine());
      if (!p.engineNote().isEmpty()) {
        notes.add(p.engineNote());
      }
      p.self().forEach(m -> self.merge(m.method(), m.samples(), Long::sum));
      p.total().forEach(m -> total.merge(m.method(), m.samples(), Long::sum));
      p.collapsedStacks().forEach((stack, n) -> collapsed.merge(stack, n, Long::sum));
      samples += p.totalSamples();
      gcCount += p.jvmGcCount();
      gcPause = gcPause.plus(p.jvmGcPause());
      jit += p.jvmJitCompilations();
      profiledJit += p.profiledMethodCompilations();
      duration = duration.plus(p.duration());
      if (p.effectiveSamplingPeriod().compareTo(effective) < 0) {
        effective = p.effectiveSamplingPeriod();
      }
    }
    return new ProfileReport(
        SampleAttribution.topN(self, samples, top),
        SampleAttribution.topN(total, samples, top),
        samples,
        samplingPeriod,
        effective,
        rate(samples, duration),
        duration,
        gcCount,
        gcPause,
        jit,
        profiledJit,
        collapsed,
        engines.isEmpty() ? JFR : String.join(", ", engines),
        String.join("; ", notes));
  }
}
