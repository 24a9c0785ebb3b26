package dev.fibperf.server.service;

import com.google.protobuf.ByteString;
import dev.fibperf.proto.v1.ArtifactChunk;
import dev.fibperf.proto.v1.Profile;
import dev.fibperf.proto.v1.ProfileOptions;
import dev.fibperf.proto.v1.ProfileSnapshot;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.TaskWindow;
import dev.fibperf.server.exec.process.ProcessPool;
import dev.fibperf.server.profile.Artifacts;
import dev.fibperf.server.profile.JfrProfiler;
import dev.fibperf.server.profile.ProfileProtos;
import dev.fibperf.server.profile.ProfileReport;
import dev.fibperf.server.profile.ProfileSession;
import io.grpc.Status;
import io.grpc.StatusException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Profiles one run for the service: validates the options, marks the run's task windows, sends live
 * snapshots while it runs and, at the end, the artifacts and the final profile. Analysis runs on
 * the profiling executor so workers go straight back to computing.
 */
final class ProfileRunner {
  static final int DEFAULT_TOP = 15;
  static final int MAX_TOP = 1000;
  static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofMillis(500);
  static final Duration MIN_SNAPSHOT_INTERVAL = Duration.ofMillis(100);

  /** Artifacts are streamed in chunks this size, far below gRPC's 4 MiB default message limit. */
  static final int ARTIFACT_CHUNK_BYTES = 256 * 1024;

  /** Validated profiling options. */
  record Options(
      Duration samplingPeriod,
      int top,
      Duration snapshotInterval,
      List<ArtifactChunk.Format> artifacts) {}

  /** Where samples come from: this JVM's recorder, or the worker processes'. */
  private interface Source {
    TaskWindow window();

    /** The profile so far. */
    ProfileReport snapshot(int top);

    ProfileReport finish(int top, boolean keepRaw);

    byte[] raw();

    void close();
  }

  private static Source local(ProfileSession session) {
    return new Source() {
      @Override
      public TaskWindow window() {
        return (task, body) -> session.mark(task.index(), task.n(), body);
      }

      @Override
      public ProfileReport snapshot(int top) {
        return session.snapshot(top);
      }

      @Override
      public ProfileReport finish(int top, boolean keepRaw) {
        return session.finish(top, keepRaw);
      }

      @Override
      public byte[] raw() {
        return session.rawRecording();
      }

      @Override
      public void close() {
        session.close();
      }
    };
  }

  private static Source workers(ProcessPool.RemoteProfile remote, Duration period) {
    return new Source() {
      @Override
      public TaskWindow window() {
        return remote.window();
      }

      @Override
      public ProfileReport snapshot(int top) {
        return ProfileReport.merge(
            remote.snapshot().stream().map(ProfileProtos::fromWorkerProto).toList(), period, top);
      }

      @Override
      public ProfileReport finish(int top, boolean keepRaw) {
        return ProfileReport.merge(
            remote.finish().stream().map(ProfileProtos::fromWorkerProto).toList(), period, top);
      }

      @Override
      public byte[] raw() {
        throw new IllegalStateException("no raw recording from worker processes");
      }

      @Override
      public void close() {}
    };
  }

  private final ServerConfig config;
  private final JfrProfiler profiler;
  private final ProcessPool processes;
  private final ScheduledExecutorService executor;

  ProfileRunner(
      ServerConfig config,
      JfrProfiler profiler,
      ProcessPool processes,
      ScheduledExecutorService executor) {
    this.config = config;
    this.profiler = profiler;
    this.processes = processes;
    this.executor = executor;
  }

  /**
   * @param options the request's options, or null for the defaults
   * @param field the request field they came from, for error messages
   * @throws StatusException FAILED_PRECONDITION if profiling is off, INVALID_ARGUMENT for a bad
   *     option
   */
  Options validate(ProfileOptions options, String field) throws StatusException {
    if (!config.profilingEnabled()) {
      throw Status.FAILED_PRECONDITION
          .withDescription("profiling is disabled on this server (--no-profiling)")
          .asException();
    }
    if (options == null) {
      options = ProfileOptions.getDefaultInstance();
    }
    Duration period = JfrProfiler.FINEST_PERIOD;
    if (options.hasSamplingPeriod()) {
      period = ProtoMapper.duration(options.getSamplingPeriod());
      if (period.compareTo(JfrProfiler.FINEST_PERIOD) < 0
          || period.compareTo(JfrProfiler.COARSEST_PERIOD) > 0) {
        throw RequestValidator.invalid(
            "%s.sampling_period=%s outside [%s, %s]",
            field, period, JfrProfiler.FINEST_PERIOD, JfrProfiler.COARSEST_PERIOD);
      }
    }
    int top = options.getTop() == 0 ? DEFAULT_TOP : options.getTop();
    if (Integer.toUnsignedLong(top) > MAX_TOP) {
      throw RequestValidator.invalid(
          "%s.top=%d exceeds max %d", field, Integer.toUnsignedLong(top), MAX_TOP);
    }
    Duration interval = DEFAULT_SNAPSHOT_INTERVAL;
    if (options.hasSnapshotInterval()) {
      interval = ProtoMapper.duration(options.getSnapshotInterval());
      if (interval.compareTo(MIN_SNAPSHOT_INTERVAL) < 0) {
        throw RequestValidator.invalid(
            "%s.snapshot_interval=%s is below min %s", field, interval, MIN_SNAPSHOT_INTERVAL);
      }
    }
    List<ArtifactChunk.Format> artifacts = new ArrayList<>();
    for (int i = 0; i < options.getArtifactsCount(); i++) {
      ArtifactChunk.Format format = options.getArtifacts(i);
      if (format == ArtifactChunk.Format.FORMAT_UNSPECIFIED
          || format == ArtifactChunk.Format.UNRECOGNIZED) {
        throw RequestValidator.invalid(
            "%s.artifacts[%d]=%d is not one of FORMAT_COLLAPSED, FORMAT_FLAMEGRAPH_HTML,"
                + " FORMAT_JFR",
            field, i, options.getArtifactsValue(i));
      }
      if (format == ArtifactChunk.Format.FORMAT_JFR && !config.rawJfrEnabled()) {
        throw Status.FAILED_PRECONDITION
            .withDescription(
                field
                    + ".artifacts["
                    + i
                    + "]=FORMAT_JFR: raw recordings hold other calls' data and are off on this"
                    + " server (--allow-raw-jfr)")
            .asException();
      }
      if (!artifacts.contains(format)) {
        artifacts.add(format);
      }
    }
    return new Options(period, top, interval, artifacts);
  }

  /**
   * Starts recording; on worker processes, once they are up. Snapshots go to {@code snapshots}
   * every interval until {@link Profiled#finish}; artifacts go to {@code artifacts} just before the
   * final profile.
   */
  CompletableFuture<Profiled> start(
      Options options,
      int tasksTotal,
      PoolKind pool,
      Consumer<ProfileSnapshot> snapshots,
      Consumer<ArtifactChunk> artifacts) {
    Duration period = options.samplingPeriod();
    if (pool == PoolKind.PROCESSES) {
      // Starts the worker JVMs first if they are cold, without holding this thread.
      return processes
          .startProfiling(period)
          .thenApply(
              remote ->
                  new Profiled(options, tasksTotal, workers(remote, period), snapshots, artifacts));
    }
    return CompletableFuture.completedFuture(
        new Profiled(options, tasksTotal, local(profiler.start(period)), snapshots, artifacts));
  }

  /** One profiled run in progress. */
  final class Profiled {
    private final Options options;
    private final int tasksTotal;
    private final Source session;
    private final Consumer<ProfileSnapshot> snapshots;
    private final Consumer<ArtifactChunk> artifacts;
    private final AtomicInteger tasksDone = new AtomicInteger();
    private final ScheduledFuture<?> ticker;
    private boolean finished; // guarded by this

    Profiled(
        Options options,
        int tasksTotal,
        Source session,
        Consumer<ProfileSnapshot> snapshots,
        Consumer<ArtifactChunk> artifacts) {
      this.options = options;
      this.tasksTotal = tasksTotal;
      this.session = session;
      this.snapshots = snapshots;
      this.artifacts = artifacts;
      long intervalMillis = options.snapshotInterval().toMillis();
      this.ticker =
          executor.scheduleWithFixedDelay(
              this::snapshot, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    TaskWindow window() {
      return session.window();
    }

    void taskDone() {
      tasksDone.incrementAndGet();
    }

    private synchronized void snapshot() {
      if (finished) {
        return;
      }
      ProfileReport report = session.snapshot(options.top());
      snapshots.accept(
          ProfileSnapshot.newBuilder()
              .setProfile(ProtoMapper.profile(report))
              .setTasksDone(tasksDone.get())
              .setTasksTotal(tasksTotal)
              .build());
    }

    /**
     * Stops recording and, on the profiling executor, streams the artifacts and hands the final
     * profile to {@code then}; failures go to {@code onError}.
     */
    void finish(Consumer<Profile> then, Consumer<Throwable> onError) {
      ticker.cancel(false);
      executor.execute(
          () -> {
            ProfileReport report;
            try {
              synchronized (this) {
                finished = true;
                report =
                    session.finish(
                        options.top(),
                        options.artifacts().contains(ArtifactChunk.Format.FORMAT_JFR));
              }
              for (ArtifactChunk.Format format : options.artifacts()) {
                stream(format, render(format, report));
              }
            } catch (RuntimeException e) {
              onError.accept(e);
              return;
            }
            then.accept(ProtoMapper.profile(report));
          });
    }

    private byte[] render(ArtifactChunk.Format format, ProfileReport report) {
      switch (format) {
        case FORMAT_COLLAPSED:
          return Artifacts.collapsed(report);
        case FORMAT_FLAMEGRAPH_HTML:
          return Artifacts.flameGraphHtml(report, "fibperf profile");
        case FORMAT_JFR:
          return session.raw();
        default:
          throw new IllegalArgumentException("artifact format " + format);
      }
    }

    private void stream(ArtifactChunk.Format format, byte[] data) {
      int offset = 0;
      do {
        int length = Math.min(ARTIFACT_CHUNK_BYTES, data.length - offset);
        artifacts.accept(
            ArtifactChunk.newBuilder()
                .setFormat(format)
                .setData(ByteString.copyFrom(data, offset, length))
                .setLast(offset + length == data.length)
                .build());
        offset += length;
      } while (offset < data.length);
    }

    /** Releases the recording; safe to call more than once and after {@link #finish}. */
    void close() {
      ticker.cancel(false);
      session.close();
    }
  }
}
