package dev.fibperf.server.profile;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;

/**
 * One session's profile, built up as JFR streams its events in, so a live snapshot costs the
 * samples since the last one rather than a dump and a re-read of the whole recording.
 *
 * <p>Samples are attributed against task windows kept here as they begin and end, not against the
 * recording's window events, which are committed only when a task ends. JFR hands a stream its
 * events when it flushes (about once a second), so a snapshot lags the run by up to that. The final
 * profile is still read from the whole recording ({@link SampleAttribution}), exactly.
 */
final class LiveProfile {
  /** A stretch of one thread's time inside one of this session's task windows. */
  static final class Window {
    private final Instant start;
    private volatile Instant end;

    private Window(Instant start) {
      this.start = start;
    }

    boolean contains(Instant time, Instant now) {
      Instant until = end;
      return !time.isBefore(start) && !time.isAfter(until == null ? now : until);
    }

    Duration length(Instant now) {
      Instant until = end;
      return Duration.between(start, until == null ? now : until);
    }
  }

  private final Duration period;
  private final Supplier<Duration> jvmPeriod;

  /** Per thread, its windows in start order: a thread runs one task at a time. */
  @GuardedBy("this")
  private final Map<Long, List<Window>> windowsByThread = new HashMap<>();

  @GuardedBy("this")
  private final Set<Window> open = new HashSet<>();

  @GuardedBy("this")
  private Duration closedBusy = Duration.ZERO;

  @GuardedBy("this")
  private final Map<Long, Instant> lastKeptByThread = new HashMap<>();

  @GuardedBy("this")
  private final Map<String, Long> self = new HashMap<>();

  @GuardedBy("this")
  private final Map<String, Long> total = new HashMap<>();

  @GuardedBy("this")
  private final Map<String, Long> collapsed = new HashMap<>();

  @GuardedBy("this")
  private final Map<String, Integer> compiledMethods = new HashMap<>();

  @GuardedBy("this")
  private long samples;

  @GuardedBy("this")
  private Instant firstStart;

  @GuardedBy("this")
  private int gcCount;

  @GuardedBy("this")
  private Duration gcPause = Duration.ZERO;

  @GuardedBy("this")
  private int compilations;

  /**
   * @param period the period the session asked for
   * @param jvmPeriod the finest period the JVM has sampled at so far, finer when another session
   *     asked for a finer one: samples are then thinned back to {@code period}
   */
  LiveProfile(Duration period, Supplier<Duration> jvmPeriod) {
    this.period = period;
    this.jvmPeriod = jvmPeriod;
  }

  /** A task window opens on {@code threadId} now; pass the result to {@link #end}. */
  synchronized Window begin(long threadId) {
    Window window = new Window(Instant.now());
    windowsByThread.computeIfAbsent(threadId, t -> new ArrayList<>()).add(window);
    open.add(window);
    if (firstStart == null) {
      firstStart = window.start;
    }
    return window;
  }

  synchronized void end(Window window) {
    window.end = Instant.now();
    if (open.remove(window)) {
      closedBusy = closedBusy.plus(window.length(window.end));
    }
  }

  void onSample(RecordedEvent event) {
    RecordedThread thread = event.getThread("sampledThread");
    if (thread == null) {
      return;
    }
    long threadId = thread.getJavaThreadId();
    Instant time = event.getStartTime();
    synchronized (this) {
      if (!inWindow(threadId, time) || thinnedOut(threadId, time)) {
        return;
      }
    }
    // Frames are read outside the lock: a snapshot waits for counts, not for stack decoding.
    RecordedStackTrace stack = event.getStackTrace();
    List<String> frames = stack == null ? List.of() : SampleAttribution.frames(stack);
    if (frames.isEmpty()) {
      return;
    }
    List<String> rootFirst = new ArrayList<>(frames);
    Collections.reverse(rootFirst);
    String collapsedStack = String.join(";", rootFirst);
    synchronized (this) {
      samples++;
      self.merge(frames.get(0), 1L, Long::sum);
      for (String method : new LinkedHashSet<>(frames)) {
        total.merge(method, 1L, Long::sum);
      }
      collapsed.merge(collapsedStack, 1L, Long::sum);
    }
  }

  @GuardedBy("this")
  private boolean inWindow(long threadId, Instant time) {
    List<Window> windows = windowsByThread.get(threadId);
    if (windows == null) {
      return false;
    }
    // Samples arrive about a flush late, so the window they fall in is usually one of the last.
    Instant now = Instant.now();
    for (int i = windows.size() - 1; i >= 0; i--) {
      Window w = windows.get(i);
      if (!time.isBefore(w.start)) {
        return w.contains(time, now);
      }
    }
    return false;
  }

  /** Whether a JVM sampling finer than asked gave this thread a sample too soon after the last. */
  @GuardedBy("this")
  private boolean thinnedOut(long threadId, Instant time) {
    if (jvmPeriod.get().compareTo(period) >= 0) {
      return false;
    }
    Instant last = lastKeptByThread.get(threadId);
    if (last != null && time.isBefore(last.plus(period))) {
      return true;
    }
    lastKeptByThread.put(threadId, time);
    return false;
  }

  synchronized void onGarbageCollection(RecordedEvent event) {
    if (firstStart != null && !event.getStartTime().isBefore(firstStart)) {
      gcCount++;
      gcPause = gcPause.plus(event.getDuration("sumOfPauses"));
    }
  }

  void onCompilation(RecordedEvent event) {
    RecordedMethod method = event.getValue("method");
    String name = method == null ? "" : MethodNames.readable(method);
    synchronized (this) {
      if (firstStart != null && !event.getEndTime().isBefore(firstStart)) {
        compilations++;
        compiledMethods.merge(name, 1, Integer::sum);
      }
    }
  }

  /** The profile of what has streamed in so far. */
  synchronized ProfileReport report(int top) {
    Instant now = Instant.now();
    Duration busy = closedBusy;
    for (Window w : open) {
      busy = busy.plus(w.length(now));
    }
    int profiledCompilations = 0;
    for (Map.Entry<String, Integer> compiled : compiledMethods.entrySet()) {
      if (total.containsKey(compiled.getKey())) {
        profiledCompilations += compiled.getValue();
      }
    }
    Duration effective = jvmPeriod.get();
    return new ProfileReport(
        SampleAttribution.topN(self, samples, top),
        SampleAttribution.topN(total, samples, top),
        samples,
        period,
        effective.compareTo(period) < 0 ? effective : period,
        ProfileReport.rate(samples, busy),
        busy,
        gcCount,
        gcPause,
        compilations,
        profiledCompilations,
        collapsed);
  }
}
