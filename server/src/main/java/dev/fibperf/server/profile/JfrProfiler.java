package dev.fibperf.server.profile;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
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

  // Every session started and not yet ended, whatever samples it: each holds a recording.
  private final java.util.concurrent.atomic.AtomicInteger open =
      new java.util.concurrent.atomic.AtomicInteger();

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
    return start(samplingPeriod, Engine.JFR);
  }

  /**
   * Starts recording for one session, its samples taken by {@code engine} where it can run here;
   * where it cannot (async-profiler's library did not load, or another session has it), by JFR, and
   * the profile says why.
   *
   * @param samplingPeriod between {@link #FINEST_PERIOD} and {@link #COARSEST_PERIOD}
   * @throws IllegalArgumentException if the period is out of that range
   * @throws UncheckedIOException if JFR cannot create its repository
   */
  public ProfileSession start(Duration samplingPeriod, Engine engine) {
    Objects.requireNonNull(samplingPeriod, "samplingPeriod");
    Objects.requireNonNull(engine, "engine");
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
    if (engine == Engine.ASYNC_PROFILER) {
      AsyncSampler.Result async = AsyncSampler.get().start(samplingPeriod);
      if (async.recording().isPresent()) {
        try {
          return open(
              samplingPeriod,
              async.recording().get(),
              AsyncSampler.get().describe() + " (" + async.recording().get().mode() + ")",
              "");
        } catch (RuntimeException e) {
          async.recording().get().stop();
          async.recording().get().delete();
          throw e;
        }
      }
      return open(samplingPeriod, null, ProfileReport.JFR, async.whyNot() + ": sampled by JFR");
    }
    return open(samplingPeriod);
  }

  /** What async-profiler is here: its version, or why it cannot load. */
  public static String asyncProfiler() {
    return AsyncSampler.get().describe();
  }

  private ProfileSession open(Duration samplingPeriod) {
    return open(samplingPeriod, null, ProfileReport.JFR, "");
  }

  private ProfileSession open(
      Duration samplingPeriod,
      AsyncSampler.Recording samples,
      String engineName,
      String engineNote) {
    RecordingStream stream;
    try {
      stream = new RecordingStream();
    } catch (IllegalStateException e) {
      throw new UncheckedIOException(new IOException("JFR could not start", e));
    }
    Recording recording = new Recording();
    recording.setName("fibperf-session");
    recording.setToDisk(true);
    if (samples == null) {
      recording.enable(EXECUTION_SAMPLE).withPeriod(samplingPeriod).withStackTrace();
      stream.enable(EXECUTION_SAMPLE).withPeriod(samplingPeriod).withStackTrace();
    }
    for (jdk.jfr.EventSettings s :
        List.of(
            recording.enable(TaskWindowEvent.class),
            recording.enable(GARBAGE_COLLECTION),
            recording.enable(COMPILATION),
            stream.enable(TaskWindowEvent.class),
            stream.enable(GARBAGE_COLLECTION),
            stream.enable(COMPILATION))) {
      s.withoutThreshold();
    }
    ProfileSession session =
        new ProfileSession(
            nextSessionId.getAndIncrement(),
            recording,
            stream,
            samplingPeriod,
            this::ended,
            samples,
            engineName,
            engineNote);
    try {
      synchronized (startLock) {
        session.start();
      }
    } catch (IllegalStateException e) {
      stream.close();
      recording.close();
      throw new UncheckedIOException(new IOException("JFR could not start", e));
    }
    open.incrementAndGet();
    if (session.samplesWithJfr()) {
      synchronized (active) {
        for (ProfileSession other : active) {
          other.sawPeriod(samplingPeriod);
          session.sawPeriod(other.samplingPeriod());
        }
        active.add(session);
      }
    }
    return session;
  }

  /** Profiling sessions started and not yet ended (each holds a JFR recording). */
  public int openSessions() {
    return open.get();
  }

  private void ended(ProfileSession session) {
    open.decrementAndGet();
    synchronized (active) {
      active.remove(session);
    }
  }
}
