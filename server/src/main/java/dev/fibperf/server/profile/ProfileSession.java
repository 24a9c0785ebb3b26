package dev.fibperf.server.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import jdk.jfr.Recording;

/**
 * One profiled call: its JFR recording and the task windows it marks. Close it when done; {@link
 * #finish} closes it too.
 */
public final class ProfileSession implements AutoCloseable {
  private final long id;
  private final Recording recording;
  private final Duration samplingPeriod;
  private final Consumer<ProfileSession> onEnd;
  private final AtomicReference<Duration> jvmPeriod;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile byte[] raw;
  private final Set<OpenWindow> openWindows = ConcurrentHashMap.newKeySet();

  /** A task window that has begun and not ended; identity matters, not value. */
  private static final class OpenWindow {
    private final long threadId;
    private final Instant start;

    OpenWindow(long threadId, Instant start) {
      this.threadId = threadId;
      this.start = start;
    }

    long threadId() {
      return threadId;
    }

    Instant start() {
      return start;
    }
  }

  ProfileSession(
      long id, Recording recording, Duration samplingPeriod, Consumer<ProfileSession> onEnd) {
    this.id = id;
    this.recording = recording;
    this.samplingPeriod = samplingPeriod;
    this.onEnd = onEnd;
    this.jvmPeriod = new AtomicReference<>(samplingPeriod);
  }

  /** The period this session asked for. */
  Duration samplingPeriod() {
    return samplingPeriod;
  }

  /** Another recording ran beside this one at {@code period}: the JVM sampled at the finer. */
  void sawPeriod(Duration period) {
    jvmPeriod.accumulateAndGet(period, (a, b) -> a.compareTo(b) <= 0 ? a : b);
  }

  /**
   * Runs {@code body} on the calling thread inside a task window of this session, so samples it
   * produces count for this session and no other.
   */
  public void mark(int index, int n, Runnable body) {
    TaskWindowEvent window = new TaskWindowEvent();
    window.session = id;
    window.index = index;
    window.n = n;
    window.begin();
    // Started after begin(): a snapshot may miss this task's first sample, but never counts one
    // from before its window (another session's task may have run on this thread just before).
    OpenWindow open = new OpenWindow(Thread.currentThread().getId(), Instant.now());
    openWindows.add(open);
    try {
      body.run();
    } finally {
      // Removed before the commit: a snapshot in between misses the window rather than counting
      // its time twice.
      openWindows.remove(open);
      window.commit();
    }
  }

  /**
   * The profile so far, from a dump of the still-running recording, including the samples of tasks
   * still running (their windows are not in the recording until they end, so a profile of one long
   * task would otherwise stay empty until its end).
   */
  public ProfileReport snapshot(int top) {
    Instant now = Instant.now();
    List<SampleAttribution.Window> open = new ArrayList<>();
    for (OpenWindow w : openWindows) {
      open.add(new SampleAttribution.Window(w.threadId(), w.start(), now));
    }
    return analyse(top, false, open);
  }

  /**
   * Stops recording and returns the complete profile.
   *
   * @param keepRaw whether to keep the recording's bytes for {@link #rawRecording()}
   */
  public ProfileReport finish(int top, boolean keepRaw) {
    try {
      recording.stop();
      return analyse(top, keepRaw, List.of());
    } finally {
      close();
    }
  }

  /**
   * The raw JFR recording read by {@link #finish}, if it was asked to keep it. It holds every
   * thread's data in the window, not just this session's.
   */
  public byte[] rawRecording() {
    if (raw == null) {
      throw new IllegalStateException("finish(top, true) has not run");
    }
    return raw.clone();
  }

  private ProfileReport analyse(
      int top, boolean keepRaw, List<SampleAttribution.Window> openWindows) {
    Path file = null;
    try {
      file = Files.createTempFile("fibperf-profile-", ".jfr");
      recording.dump(file);
      if (keepRaw) {
        raw = Files.readAllBytes(file);
      }
      return SampleAttribution.analyse(file, id, samplingPeriod, jvmPeriod.get(), top, openWindows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // A leftover temp file is harmless; the profile already has its data.
        }
      }
    }
  }

  @Override
  public void close() {
    recording.close();
    if (ended.compareAndSet(false, true)) {
      onEnd.accept(this);
    }
  }
}
