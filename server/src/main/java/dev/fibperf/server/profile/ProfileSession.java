package dev.fibperf.server.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;

/**
 * One profiled call: its JFR recording and the task windows it marks. Close it when done; {@link
 * #finish} closes it too.
 */
public final class ProfileSession implements AutoCloseable {
  private final long id;
  private final Recording recording;
  private final Duration samplingPeriod;
  private volatile byte[] raw;

  ProfileSession(long id, Recording recording, Duration samplingPeriod) {
    this.id = id;
    this.recording = recording;
    this.samplingPeriod = samplingPeriod;
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
    try {
      body.run();
    } finally {
      window.commit();
    }
  }

  /** The profile so far, from a dump of the still-running recording. */
  public ProfileReport snapshot(int top) {
    return analyse(top, false);
  }

  /**
   * Stops recording and returns the complete profile.
   *
   * @param keepRaw whether to keep the recording's bytes for {@link #rawRecording()}
   */
  public ProfileReport finish(int top, boolean keepRaw) {
    try {
      recording.stop();
      return analyse(top, keepRaw);
    } finally {
      recording.close();
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
      recording.dump(file);
      if (keepRaw) {
        raw = Files.readAllBytes(file);
      }
      return SampleAttribution.analyse(file, id, samplingPeriod, top);
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
  }
}
