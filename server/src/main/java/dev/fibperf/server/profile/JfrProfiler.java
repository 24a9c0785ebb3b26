package dev.fibperf.server.profile;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingStream;

/**
 * Starts Java Flight Recorder profiling sessions. Each session is its own JFR recording, so
 * concurrent sessions can ask for different periods; samples are attributed per session by {@link
 * TaskWindowEvent}s, never by recording.
 */
public final class JfrProfiler {
  /** The finest sampling period the JVM honours for {@code jdk.ExecutionSample}. */
  public static final Duration FINEST_PERIOD = Duration.ofMillis(1);

  /**
   * The coarsest period accepted. Kept short because JFR's sampler sleeps a whole period before it
   * notices a finer one, which would blind a concurrent session asking for 1 ms for that long.
   */
  public static final Duration COARSEST_PERIOD = Duration.ofMillis(100);

  static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";
  static final String GARBAGE_COLLECTION = "jdk.GarbageCollection";
  static final String COMPILATION = "jdk.Compilation";

  private final AtomicLong nextSessionId = new AtomicLong(1);

  /**
   * Sessions recording now. JFR samples the whole JVM at the finest period any recording asks, so
   * each session learns the finest period that ran beside it and thins its samples back to its own.
   */
  @GuardedBy("active")
  private final Set<ProfileSession> active = new HashSet<>();

  private final Object startLock = new Object();

  @GuardedBy("startLock")
  private boolean warm;

  static {
    FlightRecorder.register(TaskWindowEvent.class);
  }

  /**
   * Pays JFR's one-time start-up (about 0.3 s here) now rather than in the first profiled call, and
   * rehearses one short session.
   */
  public void warmUp() {
    warmUp(
        () -> {
          long end = System.nanoTime() + 50_000_000;
          while (System.nanoTime() < end) {
            Thread.onSpinWait();
          }
        });
  }

  /**
   * Like {@link #warmUp()}, rehearsing with {@code task}: one session end to end (samples, a task
   * window, the dump and the attribution), since the first time through loads and compiles that
   * path.
   *
   * @return the rehearsal's profile, for callers that warm what they do with one next; null if JFR
   *     was already warm
   */
  public ProfileReport warmUp(Runnable task) {
    // Under the start lock, rehearsal included: a session started while JFR initialises got almost
    // no samples here, and one beside the rehearsal would share the cores with it.
    synchronized (startLock) {
      if (warm) {
        return null;
      }
      warmUpRecording();
      ProfileSession session = open(FINEST_PERIOD);
      session.mark(0, 0, task);
      ProfileReport report = session.finish(Integer.MAX_VALUE, false);
      warm = true;
      return report;
    }
  }

  private void warmUpRecording() {
    try (Recording recording = new Recording()) {
      // The finest period: JFR's sampler thread sleeps one period before it sees a new one, so a
      // coarse warm-up period would blind the next session for up to that long.
      recording.enable(EXECUTION_SAMPLE).withPeriod(FINEST_PERIOD);
      recording.start();
      recording.stop();
    }
  }

  /**
   * Starts recording for one session.
   *
   * @param samplingPeriod between {@link #FINEST_PERIOD} and {@link #COARSEST_PERIOD}
   * @throws IllegalArgumentException if the period is out of that range
   * @throws UncheckedIOException if JFR cannot create its repository
   */
  public ProfileSession start(Duration samplingPeriod) {
    Objects.requireNonNull(samplingPeriod, "samplingPeriod");
    if (samplingPeriod.compareTo(FINEST_PERIOD) < 0
        || samplingPeriod.compareTo(COARSEST_PERIOD) > 0) {
      throw new IllegalArgumentException(
          "samplingPeriod="
              + samplingPeriod
              + " outside ["
              + FINEST_PERIOD
              + ", "
              + COARSEST_PERIOD
              + "]");
    }
    warmUp();
    return open(samplingPeriod);
  }

  private ProfileSession open(Duration samplingPeriod) {
    RecordingStream recording;
    try {
      recording = new RecordingStream();
    } catch (IllegalStateException e) {
      throw new UncheckedIOException(new IOException("JFR could not start", e));
    }
    recording.enable(EXECUTION_SAMPLE).withPeriod(samplingPeriod).withStackTrace();
    recording.enable(TaskWindowEvent.class).withoutThreshold();
    recording.enable(GARBAGE_COLLECTION).withoutThreshold();
    recording.enable(COMPILATION).withoutThreshold();
    ProfileSession session =
        new ProfileSession(nextSessionId.getAndIncrement(), recording, samplingPeriod, this::ended);
    try {
      synchronized (startLock) {
        session.start();
      }
    } catch (IllegalStateException e) {
      recording.close();
      throw new UncheckedIOException(new IOException("JFR could not start", e));
    }
    synchronized (active) {
      for (ProfileSession other : active) {
        other.sawPeriod(samplingPeriod);
        session.sawPeriod(other.samplingPeriod());
      }
      active.add(session);
    }
    return session;
  }

  private void ended(ProfileSession session) {
    synchronized (active) {
      active.remove(session);
    }
  }
}
