package dev.fibperf.server.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;

/**
 * Starts Java Flight Recorder profiling sessions. Each session is its own JFR recording, so
 * concurrent sessions can ask for different periods; samples are attributed per session by {@link
 * TaskWindowEvent}s, never by recording.
 */
public final class JfrProfiler {
  /** The finest sampling period the JVM honours for {@code jdk.ExecutionSample}. */
  public static final Duration FINEST_PERIOD = Duration.ofMillis(1);

  /** The coarsest period accepted: coarser ones give too few samples to read. */
  public static final Duration COARSEST_PERIOD = Duration.ofSeconds(1);

  static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";
  static final String GARBAGE_COLLECTION = "jdk.GarbageCollection";
  static final String COMPILATION = "jdk.Compilation";

  private final AtomicLong nextSessionId = new AtomicLong(1);

  static {
    FlightRecorder.register(TaskWindowEvent.class);
  }

  /** Pays JFR's one-time start-up (about 0.3 s here) now rather than in the first profiled call. */
  public void warmUp() {
    try (Recording recording = new Recording()) {
      recording.enable(EXECUTION_SAMPLE).withPeriod(COARSEST_PERIOD);
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
    Recording recording = new Recording();
    recording.setName("fibperf-session");
    recording.setToDisk(true);
    recording.enable(EXECUTION_SAMPLE).withPeriod(samplingPeriod).withStackTrace();
    recording.enable(TaskWindowEvent.class).withoutThreshold();
    recording.enable(GARBAGE_COLLECTION).withoutThreshold();
    recording.enable(COMPILATION).withoutThreshold();
    try {
      recording.start();
    } catch (IllegalStateException e) {
      recording.close();
      throw new UncheckedIOException(new IOException("JFR could not start", e));
    }
    return new ProfileSession(nextSessionId.getAndIncrement(), recording, samplingPeriod);
  }
}
