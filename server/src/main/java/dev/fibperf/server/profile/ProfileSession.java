package dev.fibperf.server.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import jdk.jfr.consumer.RecordingStream;

/**
 * One profiled call: its JFR recording and the task windows it marks. Close it when done; {@link
 * #finish} closes it too.
 */
public final class ProfileSession implements AutoCloseable {
  private final long id;
  private final RecordingStream recording;
  private final Duration samplingPeriod;
  private final Consumer<ProfileSession> onEnd;
  private final AtomicReference<Duration> jvmPeriod;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final LiveProfile live;
  private volatile byte[] raw;

  /**
   * @param recording configured, not yet started: the session streams it into its live profile
   */
  ProfileSession(
      long id, RecordingStream recording, Duration samplingPeriod, Consumer<ProfileSession> onEnd) {
    this.id = id;
    this.recording = recording;
    this.samplingPeriod = samplingPeriod;
    this.onEnd = onEnd;
    this.jvmPeriod = new AtomicReference<>(samplingPeriod);
    this.live = new LiveProfile(samplingPeriod, jvmPeriod::get);
    // Unordered: the live view counts samples and needs no global order, and sorting each flush
    // would cost the stream's thread more than the counting does.
    recording.setOrdered(false);
    recording.onEvent(JfrProfiler.EXECUTION_SAMPLE, live::onSample);
    recording.onEvent(JfrProfiler.GARBAGE_COLLECTION, live::onGarbageCollection);
    recording.onEvent(JfrProfiler.COMPILATION, live::onCompilation);
  }

  /** Starts recording and streaming; JfrProfiler calls it once, under its start lock. */
  void start() {
    recording.startAsync();
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
    // Begun after the event: the live view may miss this task's first sample, but never counts
    // one from before its window (another session's task may have run on this thread just before).
    LiveProfile.Window liveWindow = live.begin(Thread.currentThread().getId());
    try {
      body.run();
    } finally {
      live.end(liveWindow);
      window.commit();
    }
  }

  /**
   * The profile so far, from the samples streamed in since the session began, tasks still running
   * included. It costs the samples that arrived since the last snapshot, whatever the run's length,
   * and lags the run by up to JFR's flush interval (about a second).
   */
  public ProfileReport snapshot(int top) {
    return live.report(top);
  }

  /**
   * Stops recording and returns the complete profile, read from the whole recording.
   *
   * @param keepRaw whether to keep the recording's bytes for {@link #rawRecording()}
   */
  public ProfileReport finish(int top, boolean keepRaw) {
    try {
      return analyse(top, keepRaw);
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

  private ProfileReport analyse(int top, boolean keepRaw) {
    Path file = null;
    try {
      file = Files.createTempFile("fibperf-profile-", ".jfr");
      // The dump holds every window that has ended: the phase's tasks all have by now.
      recording.dump(file);
      if (keepRaw) {
        raw = Files.readAllBytes(file);
      }
      return SampleAttribution.analyse(file, id, samplingPeriod, jvmPeriod.get(), top, List.of());
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
