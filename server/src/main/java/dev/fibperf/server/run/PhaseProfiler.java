package dev.fibperf.server.run;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.exec.TaskWindow;
import dev.fibperf.server.exec.process.ProcessPool;
import dev.fibperf.server.exec.process.WorkerProtocol;
import dev.fibperf.server.profile.Artifacts;
import dev.fibperf.server.profile.JfrProfiler;
import dev.fibperf.server.profile.ProfileReport;
import dev.fibperf.server.profile.ProfileSession;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Profiles one phase: marks its task windows, takes live snapshots while it runs and, at the end,
 * the final profile. Reading a recording runs on the profiling executor, so workers go straight
 * back to computing.
 *
 * <p>Borrows the profiler, the process pool and the executor; owns the sessions it starts.
 */
final class PhaseProfiler {
  /** Where samples come from: this JVM's recorder, or the worker processes'. */
  private interface Source {
    TaskWindow window();

    TaskContext context();

    /** The profile so far. */
    ProfileReport snapshot(int top);

    ProfileReport finish(int top, boolean keepRaw);

    byte[] raw();

    void close();
  }

  private final JfrProfiler profiler;
  private final ProcessPool processes;
  private final ScheduledExecutorService executor;

  PhaseProfiler(JfrProfiler profiler, ProcessPool processes, ScheduledExecutorService executor) {
    this.profiler = profiler;
    this.processes = processes;
    this.executor = executor;
  }

  /**
   * Starts recording; on worker processes, once they are up (without holding this thread).
   *
   * @param wanted whether the caller can take a snapshot now; while it cannot, none is taken (one
   *     costs a dump and a read of the recording), and those missed collapse into the next
   * @param snapshots receives each live snapshot, if the spec asks for them
   */
  CompletableFuture<Session> start(
      ProfileSpec spec,
      int tasksTotal,
      PoolKind pool,
      BooleanSupplier wanted,
      Consumer<Snapshot> snapshots) {
    Duration period = spec.samplingPeriod();
    if (pool == PoolKind.PROCESSES) {
      return processes
          .startProfiling(period, spec.engine())
          .thenApply(
              remote -> new Session(spec, tasksTotal, workers(remote, period), wanted, snapshots));
    }
    // JFR's start can take a while on a cold JVM: off the caller's thread.
    return CompletableFuture.supplyAsync(
            () -> local(profiler.start(period, spec.engine())), executor)
        .thenApply(source -> new Session(spec, tasksTotal, source, wanted, snapshots));
  }

  /** A live snapshot and how far the phase had got when it was taken. */
  record Snapshot(ProfileReport profile, int tasksDone, int tasksTotal) {}

  /** One profiled phase in progress. */
  final class Session implements AutoCloseable {
    private final ProfileSpec spec;
    private final int tasksTotal;
    private final Source source;
    private final Consumer<Snapshot> snapshots;
    private final AtomicInteger tasksDone = new AtomicInteger();
    private final ScheduledFuture<?> ticker;

    @GuardedBy("this")
    private boolean finished;

    private final BooleanSupplier wanted;

    private Session(
        ProfileSpec spec,
        int tasksTotal,
        Source source,
        BooleanSupplier wanted,
        Consumer<Snapshot> snapshots) {
      this.spec = spec;
      this.wanted = wanted;
      this.tasksTotal = tasksTotal;
      this.source = source;
      this.snapshots = snapshots;
      Duration interval = spec.snapshotInterval();
      this.ticker =
          interval == null
              ? null
              : executor.scheduleWithFixedDelay(
                  this::snapshot, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    TaskWindow window() {
      return source.window();
    }

    TaskContext context() {
      return source.context();
    }

    void taskDone() {
      tasksDone.incrementAndGet();
    }

    private synchronized void snapshot() {
      // A reader that is behind gets no new snapshot: it is not reading them, and each one would
      // cost a dump of the recording. When it catches up, the next one has everything since.
      if (!finished && wanted.getAsBoolean()) {
        snapshots.accept(new Snapshot(source.snapshot(spec.top()), tasksDone.get(), tasksTotal));
      }
    }

    /** Stops recording and, on the profiling executor, reads the final profile. */
    CompletableFuture<ProfileReport> finish() {
      stopTicker();
      return CompletableFuture.supplyAsync(
          () -> {
            synchronized (this) {
              finished = true;
              return source.finish(spec.top(), spec.artifacts().contains(ArtifactFormat.JFR));
            }
          },
          executor);
    }

    /** Renders one of the spec's artifacts from the final profile. */
    byte[] render(ArtifactFormat format, ProfileReport report) {
      switch (format) {
        case COLLAPSED:
          return Artifacts.collapsed(report);
        case FLAMEGRAPH_HTML:
          return Artifacts.flameGraphHtml(report, "fibperf profile");
        case JFR:
          return source.raw();
      }
      throw new AssertionError(format);
    }

    Executor executor() {
      return executor;
    }

    private void stopTicker() {
      if (ticker != null) {
        ticker.cancel(false);
      }
    }

    /** Releases the recording; safe to call more than once and after {@link #finish}. */
    @Override
    public void close() {
      stopTicker();
      source.close();
    }
  }

  private static Source local(ProfileSession session) {
    return new Source() {
      @Override
      public TaskWindow window() {
        return (task, body) -> session.mark(task.index(), task.n(), body);
      }

      @Override
      public TaskContext context() {
        return TaskContext.NONE;
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
        return TaskWindow.NONE;
      }

      @Override
      public TaskContext context() {
        return remote.context();
      }

      @Override
      public ProfileReport snapshot(int top) {
        return ProfileReport.merge(
            remote.snapshot().stream().map(w -> WorkerProtocol.report(w, period)).toList(),
            period,
            top);
      }

      @Override
      public ProfileReport finish(int top, boolean keepRaw) {
        return ProfileReport.merge(
            remote.finish().stream().map(w -> WorkerProtocol.report(w, period)).toList(),
            period,
            top);
      }

      @Override
      public byte[] raw() {
        throw new IllegalStateException("no raw recording from worker processes");
      }

      @Override
      public void close() {}
    };
  }
}
