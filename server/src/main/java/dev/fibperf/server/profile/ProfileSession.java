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
import java.util.function.Supplier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;

/**
 * One profiled call: the task windows it marks, its JFR recording (read once, stopped, for the
 * final profile) and the same recording's event stream (for live snapshots), and, when
 * async-profiler takes the samples, that recording's files. Close it when done; {@link #finish}
 * closes it too.
 */
public final class ProfileSession implements AutoCloseable {
  private final long id;
  private final Recording recording;
  private final RecordingStream stream;
  private final Duration samplingPeriod;
  private final Consumer<ProfileSession> onEnd;
  private final AtomicReference<Duration> jvmPeriod;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final LiveProfile live;
  private final AsyncSampler.Recording samples;
  private final String engine;
  private final String engineNote;
  private volatile byte[] raw;

  /**
   * @param recording configured, not yet started: what the final profile is read from, once it has
   *     stopped (a running recording's dump can miss the events still in threads' buffers)
   * @param stream configured like {@code recording}, not yet started: the live profile's feed
   * @param samples async-profiler's recording of the execution samples, or null when {@code
   *     recording} takes them (JFR)
   * @param engine what took the samples, as profiles name it
   * @param engineNote why that is not the engine asked for, or empty
   */
  ProfileSession(
      long id,
      Recording recording,
      RecordingStream stream,
      Duration samplingPeriod,
      Consumer<ProfileSession> onEnd,
      AsyncSampler.Recording samples,
      String engine,
      String engineNote) {
    this.id = id;
    this.recording = recording;
    this.stream = stream;
    this.samples = samples;
    this.engine = engine;
    this.engineNote = engineNote;
    this.samplingPeriod = samplingPeriod;
    this.onEnd = onEnd;
    this.jvmPeriod = new AtomicReference<>(samplingPeriod);
    this.live = new LiveProfile(samplingPeriod, jvmPeriod::get);
    // Unordered: the live view counts samples and needs no global order, and sorting each flush
    // would cost the stream's thread more than the counting does.
    stream.setOrdered(false);
    if (samples == null) {
      // Only for JFR's samples: the stream sees every recording's events, and beside an
      // async-profiler session another session's JFR sampling would count twice.
      stream.onEvent(JfrProfiler.EXECUTION_SAMPLE, live::onSample);
    }
    stream.onEvent(JfrProfiler.GARBAGE_COLLECTION, live::onGarbageCollection);
    stream.onEvent(JfrProfiler.COMPILATION, live::onCompilation);
  }

  /** Starts recording and streaming; JfrProfiler calls it once, under its start lock. */
  void start() {
    recording.start();
    stream.startAsync();
  }

  /** Whether JFR takes this session's samples (so its period is the JVM's concern). */
  boolean samplesWithJfr() {
    return samples == null;
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
    // Not through the Supplier variant: an adapter would be one more frame in every sample.
    Marks marks = open(index, n);
    try {
      body.run();
    } finally {
      marks.close();
    }
  }

  /** Like {@link #mark(int, int, Runnable)}, returning what {@code body} computed. */
  public <T> T mark(int index, int n, Supplier<T> body) {
    Marks marks = open(index, n);
    try {
      return body.get();
    } finally {
      marks.close();
    }
  }

  /** A task's window, in the recording and in the live view, on this thread. */
  private record Marks(TaskWindowEvent window, LiveProfile live, LiveProfile.Window liveWindow) {
    void close() {
      live.end(liveWindow);
      window.commit();
    }
  }

  private Marks open(int index, int n) {
    TaskWindowEvent window = new TaskWindowEvent();
    window.session = id;
    window.index = index;
    window.n = n;
    window.begin();
    // Begun after the event: the live view may miss this task's first sample, but never counts
    // one from before its window (another session's task may have run on this thread just before).
    return new Marks(window, live, live.begin(Thread.currentThread().getId()));
  }

  /**
   * The profile so far, from the samples streamed in since the session began, tasks still running
   * included. It costs the samples that arrived since the last snapshot, whatever the run's length,
   * and lags the run by up to JFR's flush interval (about a second).
   */
  public synchronized ProfileReport snapshot(int top) {
    if (samples != null) {
      for (Path file : samples.completedFiles()) {
        readSamples(file);
      }
    }
    return live.report(top).withEngine(engine, engineNote);
  }

  /** One of async-profiler's files, each read once, into the live view. */
  private void readSamples(Path file) {
    try (RecordingFile in = new RecordingFile(file)) {
      while (in.hasMoreEvents()) {
        RecordedEvent event = in.readEvent();
        if (event.getEventType().getName().equals(JfrProfiler.EXECUTION_SAMPLE)) {
          live.onSample(event);
        }
      }
    } catch (IOException e) {
      // A file the live view cannot read costs it those samples; the final profile reads every
      // file again and would fail loudly.
    }
  }

  /**
   * Stops recording and returns the complete profile, read from the whole recording.
   *
   * @param keepRaw whether to keep the recording's bytes for {@link #rawRecording()}
   */
  public synchronized ProfileReport finish(int top, boolean keepRaw) {
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
      List<Path> sampleFiles = List.of();
      if (samples != null) {
        samples.stop();
        sampleFiles = samples.files();
      }
      // Stopped first, so the dump holds every window that has ended: the phase's tasks all have.
      recording.stop();
      recording.dump(file);
      if (keepRaw) {
        // With async-profiler: its files, one after another (each a self-contained recording of
        // every thread's samples). Not with the JDK's chunks beside them: JDK 25's reader then
        // misreads the second producer's timestamps by hours.
        raw = samples == null ? Files.readAllBytes(file) : concatenated(sampleFiles);
      }
      return SampleAttribution.analyse(file, sampleFiles, id, samplingPeriod, jvmPeriod.get(), top)
          .withEngine(engine, engineNote);
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

  /** JFR files are sequences of self-contained chunks: one after another they are one recording. */
  private static byte[] concatenated(List<Path> files) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Path f : files) {
      out.write(Files.readAllBytes(f));
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    stream.close();
    recording.close();
    if (samples != null) {
      samples.stop();
      samples.delete();
    }
    if (ended.compareAndSet(false, true)) {
      onEnd.accept(this);
    }
  }
}
