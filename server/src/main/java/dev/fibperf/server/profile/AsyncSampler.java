package dev.fibperf.server.profile;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import one.profiler.AsyncProfiler;

/**
 * async-profiler, loaded from the native library inside its jar, recording execution samples in JFR
 * format. One recording at a time per JVM (the profiler is process-wide); a session that finds it
 * busy profiles with JFR instead and says so.
 *
 * <p>It writes a new file every second ({@code loop=1s}), so a live view reads each file once, when
 * it is complete: a snapshot costs the samples since the last one.
 */
final class AsyncSampler {
  /** A recording in progress: its files, oldest first, the newest still being written. */
  static final class Recording {
    private final Path directory;
    private final String mode;
    private int read; // files handed out by completedFiles

    private Recording(Path directory, String mode) {
      this.directory = directory;
      this.mode = mode;
    }

    /** {@code cpu} (perf events) or {@code itimer}. */
    String mode() {
      return mode;
    }

    /** Files completed since the last call, oldest first. */
    synchronized List<Path> completedFiles() {
      List<Path> files = files();
      // The newest file is still being written while the profiler runs.
      List<Path> done =
          files.subList(Math.min(read, files.size()), Math.max(read, files.size() - 1));
      read += done.size();
      return List.copyOf(done);
    }

    /** Stops recording; returns the files not handed out yet, the last one included. */
    List<Path> stop() {
      INSTANCE.stop(this);
      synchronized (this) {
        List<Path> files = files();
        List<Path> rest = files.subList(Math.min(read, files.size()), files.size());
        read = files.size();
        return List.copyOf(rest);
      }
    }

    /** Deletes the recording's files and its folder. */
    void delete() {
      for (Path f : files()) {
        try {
          Files.deleteIfExists(f);
        } catch (IOException ignored) {
          // A leftover temp file is harmless.
        }
      }
      try {
        Files.deleteIfExists(directory);
      } catch (IOException ignored) {
        // Not empty (a file appeared late) or gone: harmless.
      }
    }

    /** Every file of the recording so far, oldest first. */
    List<Path> files() {
      try (Stream<Path> list = Files.list(directory)) {
        // Names are s-<n>.jfr with n counting up: order by n, not by text.
        return list.filter(p -> p.getFileName().toString().endsWith(".jfr"))
            .sorted(Comparator.comparingInt(AsyncSampler::sequence))
            .toList();
      } catch (IOException e) {
        return List.of();
      }
    }
  }

  private static final AsyncSampler INSTANCE = new AsyncSampler();

  @GuardedBy("this")
  private AsyncProfiler profiler;

  @GuardedBy("this")
  private String unavailable;

  @GuardedBy("this")
  private boolean loaded;

  @GuardedBy("this")
  private Recording running;

  private AsyncSampler() {}

  static AsyncSampler get() {
    return INSTANCE;
  }

  /** The library's version, or why it cannot run here. */
  synchronized String describe() {
    load();
    return profiler != null ? "async-profiler " + profiler.getVersion() : unavailable;
  }

  /**
   * Starts a recording at {@code period}, or says why not: the library did not load (another OS, a
   * locked-down container), neither sampling mode starts, or another session has the profiler.
   */
  synchronized Result start(Duration period) {
    load();
    if (profiler == null) {
      return new Result(Optional.empty(), unavailable);
    }
    if (running != null) {
      return new Result(
          Optional.empty(), "async-profiler was recording another call's profile (one at a time)");
    }
    Path directory;
    try {
      directory = Files.createTempDirectory("fibperf-async-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> failures = new ArrayList<>();
    // cpu (perf events) first: it samples CPU cycles at the period asked, where the interval
    // timers are bound to the kernel's tick (250/s here, whatever the period); itimer where perf
    // events are not allowed (perf_event_paranoid, seccomp in containers).
    for (String mode : List.of("cpu", "itimer")) {
      try {
        profiler.execute(
            "start,event="
                + mode
                + ",interval="
                + period.toNanos()
                + ",jfr,loop=1s,file="
                + directory.resolve("s-%n{1000000}.jfr"));
        running = new Recording(directory, mode);
        return new Result(Optional.of(running), null);
      } catch (IOException | RuntimeException e) {
        failures.add(mode + ": " + e.getMessage());
      }
    }
    return new Result(
        Optional.empty(), "async-profiler could not start (" + String.join("; ", failures) + ")");
  }

  /** A started recording, or the reason there is none. */
  record Result(Optional<Recording> recording, String whyNot) {}

  private synchronized void stop(Recording recording) {
    if (running != recording) {
      return;
    }
    running = null;
    try {
      profiler.execute("stop");
    } catch (IOException | RuntimeException e) {
      // Already stopped: its files are what there is.
    }
  }

  @GuardedBy("this")
  private void load() {
    if (loaded) {
      return;
    }
    loaded = true;
    try {
      profiler = AsyncProfiler.getInstance(); // extracts the library for this platform
      profiler.getVersion();
    } catch (Throwable e) { // UnsatisfiedLinkError too: no library for this platform or libc
      profiler = null;
      unavailable = "async-profiler's native library did not load: " + e;
    }
  }

  private static int sequence(Path file) {
    String name = file.getFileName().toString();
    try {
      return Integer.parseInt(name.substring(2, name.length() - 4));
    } catch (RuntimeException e) {
      return Integer.MAX_VALUE;
    }
  }
}
