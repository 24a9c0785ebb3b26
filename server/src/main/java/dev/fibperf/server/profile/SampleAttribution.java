package dev.fibperf.server.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/** Reads a recording and keeps only the samples taken inside one session's task windows. */
final class SampleAttribution {
  private SampleAttribution() {}

  /** A stretch of one thread's time that belongs to the session. */
  record Window(long threadId, Instant start, Instant end) {
    boolean contains(long thread, Instant time) {
      return thread == threadId && !time.isBefore(start) && !time.isAfter(end);
    }
  }

  private record Sample(long threadId, Instant time, List<String> frames) {}

  private record Compilation(Instant end, String method) {}

  /**
   * Reads one session's profile: windows, collections and compilations from {@code file}, the
   * execution samples from it too or, when {@code sampleFiles} are given (another engine's
   * recordings, e.g. async-profiler's), from those.
   */
  static ProfileReport analyse(
      Path file, List<Path> sampleFiles, long session, Duration period, Duration jvmPeriod, int top)
      throws IOException {
    List<Window> windows = new ArrayList<>();
    List<Sample> samples = new ArrayList<>();
    List<RecordedEvent> gcs = new ArrayList<>();
    List<Compilation> compilations = new ArrayList<>();
    read(file, sampleFiles.isEmpty(), session, windows, samples, gcs, compilations);
    for (Path samplesFile : sampleFiles) {
      read(samplesFile, true, -1, new ArrayList<>(), samples, new ArrayList<>(), new ArrayList<>());
    }
    return summarise(windows, samples, gcs, compilations, period, jvmPeriod, top);
  }

  private static void read(
      Path file,
      boolean withSamples,
      long session,
      List<Window> windows,
      List<Sample> samples,
      List<RecordedEvent> gcs,
      List<Compilation> compilations)
      throws IOException {
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent event = recording.readEvent();
        switch (event.getEventType().getName()) {
          case TaskWindowEvent.NAME:
            if (event.getLong("session") == session && event.getThread() != null) {
              windows.add(
                  new Window(
                      event.getThread().getJavaThreadId(),
                      event.getStartTime(),
                      event.getEndTime()));
            }
            break;
          case JfrProfiler.EXECUTION_SAMPLE:
            if (!withSamples) {
              break;
            }
            RecordedThread thread = event.getThread("sampledThread");
            RecordedStackTrace stack = event.getStackTrace();
            if (thread != null && stack != null) {
              samples.add(
                  new Sample(thread.getJavaThreadId(), event.getStartTime(), frames(stack)));
            }
            break;
          case JfrProfiler.GARBAGE_COLLECTION:
            gcs.add(event);
            break;
          case JfrProfiler.COMPILATION:
            RecordedMethod method = event.getValue("method");
            compilations.add(
                new Compilation(
                    event.getEndTime(), method == null ? "" : MethodNames.readable(method)));
            break;
          default:
            break;
        }
      }
    }
  }

  /**
   * Frame types async-profiler records beside Java's (JFR's own stacks hold Java frames only, and
   * its frames do not say {@code javaFrame}, so {@link RecordedFrame#isJavaFrame} cannot tell).
   */
  private static final java.util.Set<String> NOT_JAVA = java.util.Set.of("Native", "C++", "Kernel");

  /**
   * The sample's frames, top first, above the task window: the worker thread, the pool and the run
   * that carried the task are in every sample and say nothing about it, and left in they would fill
   * the inclusive view and root every flame.
   */
  static List<String> frames(RecordedStackTrace stack) {
    List<String> frames = new ArrayList<>(stack.getFrames().size());
    for (RecordedFrame frame : stack.getFrames()) {
      if (!frame.isJavaFrame() || frame.getMethod() == null || NOT_JAVA.contains(frame.getType())) {
        continue;
      }
      if (isWindow(frame)) {
        // Drop the window's own body lambdas too: what stays starts at the task's code.
        while (!frames.isEmpty() && frames.get(frames.size() - 1).contains("$$Lambda")) {
          frames.remove(frames.size() - 1);
        }
        break;
      }
      frames.add(MethodNames.readable(frame.getMethod()));
    }
    return frames;
  }

  private static boolean isWindow(RecordedFrame frame) {
    return frame.getMethod().getName().equals("mark")
        && frame.getMethod().getType().getName().equals(ProfileSession.class.getName());
  }

  private static ProfileReport summarise(
      List<Window> windows,
      List<Sample> samples,
      List<RecordedEvent> gcs,
      List<Compilation> compilations,
      Duration period,
      Duration jvmPeriod,
      int top) {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> total = new HashMap<>();
    Map<String, Long> collapsed = new HashMap<>();
    Map<Long, List<Window>> windowsByThread = new HashMap<>();
    for (Window w : windows) {
      windowsByThread.computeIfAbsent(w.threadId(), t -> new ArrayList<>()).add(w);
    }
    windowsByThread.values().forEach(ws -> ws.sort(Comparator.comparing(Window::start)));
    List<Sample> attributed = new ArrayList<>();
    for (Sample sample : samples) {
      if (!sample.frames().isEmpty()
          && inAnyWindow(windowsByThread, sample.threadId(), sample.time())) {
        attributed.add(sample);
      }
    }
    if (jvmPeriod.compareTo(period) < 0) {
      attributed = thin(attributed, period);
    }
    long count = 0;
    for (Sample sample : attributed) {
      count++;
      self.merge(sample.frames().get(0), 1L, Long::sum);
      for (String method : new LinkedHashSet<>(sample.frames())) {
        total.merge(method, 1L, Long::sum);
      }
      List<String> rootFirst = new ArrayList<>(sample.frames());
      Collections.reverse(rootFirst);
      collapsed.merge(String.join(";", rootFirst), 1L, Long::sum);
    }

    Instant first = null;
    Instant last = null;
    Duration busy = Duration.ZERO;
    for (Window w : windows) {
      first = first == null || w.start().isBefore(first) ? w.start() : first;
      last = last == null || w.end().isAfter(last) ? w.end() : last;
      busy = busy.plus(Duration.between(w.start(), w.end()));
    }
    int gcCount = 0;
    Duration gcPause = Duration.ZERO;
    int jit = 0;
    int profiledJit = 0;
    if (first != null) {
      for (RecordedEvent gc : gcs) {
        if (within(gc.getStartTime(), first, last)) {
          gcCount++;
          gcPause = gcPause.plus(gc.getDuration("sumOfPauses"));
        }
      }
      for (Compilation c : compilations) {
        if (within(c.end(), first, last)) {
          jit++;
          if (total.containsKey(c.method())) {
            profiledJit++;
          }
        }
      }
    }
    return new ProfileReport(
        topN(self, count, top),
        topN(total, count, top),
        count,
        period,
        jvmPeriod.compareTo(period) < 0 ? jvmPeriod : period,
        ProfileReport.rate(count, busy),
        busy,
        gcCount,
        gcPause,
        jit,
        profiledJit,
        collapsed);
  }

  /**
   * Keeps, per thread, only samples at least {@code period} after the last one kept: what a JVM
   * sampling at {@code period} would have delivered, when another recording made it sample finer.
   */
  private static List<Sample> thin(List<Sample> samples, Duration period) {
    List<Sample> sorted = new ArrayList<>(samples);
    sorted.sort(Comparator.comparingLong(Sample::threadId).thenComparing(Sample::time));
    List<Sample> kept = new ArrayList<>();
    Sample last = null;
    for (Sample s : sorted) {
      if (last == null
          || last.threadId() != s.threadId()
          || !s.time().isBefore(last.time().plus(period))) {
        kept.add(s);
        last = s;
      }
    }
    return kept;
  }

  /**
   * Whether a sample fell inside one of its thread's windows. Windows of one thread never overlap
   * (a worker runs one task at a time), so a binary search over their starts finds the only
   * candidate.
   */
  static boolean inAnyWindow(Map<Long, List<Window>> windowsByThread, long threadId, Instant time) {
    List<Window> windows = windowsByThread.get(threadId);
    if (windows == null) {
      return false;
    }
    int lo = 0;
    int hi = windows.size() - 1;
    int candidate = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (windows.get(mid).start().isAfter(time)) {
        hi = mid - 1;
      } else {
        candidate = mid;
        lo = mid + 1;
      }
    }
    return candidate >= 0 && windows.get(candidate).contains(threadId, time);
  }

  private static boolean within(Instant t, Instant from, Instant to) {
    return !t.isBefore(from) && !t.isAfter(to);
  }

  static List<HotMethod> topN(Map<String, Long> counts, long totalSamples, int top) {
    return counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .map(e -> new HotMethod(e.getKey(), e.getValue(), 100.0 * e.getValue() / totalSamples))
        .toList();
  }
}
