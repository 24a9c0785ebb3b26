package dev.fibperf.server.service;

import dev.fibperf.proto.v1.ArtifactChunk;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.Phase;
import dev.fibperf.proto.v1.Profile;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import dev.fibperf.proto.v1.ProfileSummary;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.exec.DispatchOrder;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.Run;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.SpeedupAnalysis;
import dev.fibperf.server.exec.TaskPool;
import dev.fibperf.server.exec.process.ProcessPool;
import dev.fibperf.server.exec.process.WorkerDiedException;
import dev.fibperf.server.profile.JfrProfiler;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The {@code fibperf.v1.FibPerfService}: maps requests to runs on the shared {@link WorkerPool},
 * streams their events under flow control, and maps every failure to a precise status. It does no
 * math itself.
 *
 * <p>The service borrows the pools and the profiling executor; {@code FibServer} owns them.
 */
public final class FibPerfService extends FibPerfServiceGrpc.FibPerfServiceImplBase {
  private static final System.Logger LOG = System.getLogger(FibPerfService.class.getName());

  /**
   * Messages a stream may queue beyond what the transport has accepted before new tasks wait for
   * the reader. Small, because a queued message is at most a few KB and more buys nothing.
   */
  static final int STREAM_HIGH_WATER = 64;

  private final TaskPool pool;
  private final ProcessPool processes;
  private final RequestValidator validator;
  private final Admission admission;
  private final ProfileRunner profiles;
  private volatile boolean draining;
  private final OpenCalls openCalls = new OpenCalls();

  /**
   * @param profilingExecutor runs profile analysis and live snapshots, off the workers
   */
  public FibPerfService(
      ServerConfig config,
      TaskPool pool,
      ProcessPool processes,
      JfrProfiler profiler,
      ScheduledExecutorService profilingExecutor) {
    this.pool = pool;
    this.processes = processes;
    this.validator = new RequestValidator(config);
    this.admission = new Admission(config.maxConcurrentRuns());
    this.profiles = new ProfileRunner(config, profiler, processes, profilingExecutor);
  }

  /** From now on, new calls get UNAVAILABLE; calls already running carry on. */
  public void startDraining() {
    draining = true;
  }

  /**
   * Waits until every fibperf call has finished its run and flushed its stream.
   *
   * @return false if {@code timeout} passed first
   */
  public boolean awaitCallsDone(java.time.Duration timeout) throws InterruptedException {
    return openCalls.awaitNone(timeout);
  }

  /** Calls doing work right now. */
  public int activeRuns() {
    return admission.active();
  }

  @Override
  public void serial(SerialRequest request, StreamObserver<SerialResponse> observer) {
    Call<SerialResponse> call = new Call<>("Serial", request.getNumsCount(), observer);
    call.begin(
        () -> {
          Workload w =
              validator.validate(
                  request.getNumsList(), request.getAlgorithmValue(), 0, 1, request.getPoolValue());
          call.startRun(
              w,
              DispatchOrder.INPUT,
              1,
              w.pool(),
              null,
              s -> call.send(SerialResponse.newBuilder().setTaskStarted(ProtoMapper.started(s))),
              r -> call.send(SerialResponse.newBuilder().setTaskFinished(ProtoMapper.finished(r))),
              run ->
                  call.complete(SerialResponse.newBuilder().setSummary(ProtoMapper.summary(run))));
        });
  }

  @Override
  public void parallel(ParallelRequest request, StreamObserver<ParallelResponse> observer) {
    Call<ParallelResponse> call = new Call<>("Parallel", request.getNumsCount(), observer);
    call.begin(
        () -> {
          Workload w =
              validator.validate(
                  request.getNumsList(),
                  request.getAlgorithmValue(),
                  request.getParallelism(),
                  1,
                  request.getPoolValue());
          call.startRun(
              w,
              DispatchOrder.LARGEST_FIRST,
              w.parallelism(),
              w.pool(),
              null,
              s -> call.send(ParallelResponse.newBuilder().setTaskStarted(ProtoMapper.started(s))),
              r ->
                  call.send(ParallelResponse.newBuilder().setTaskFinished(ProtoMapper.finished(r))),
              run ->
                  call.complete(
                      ParallelResponse.newBuilder().setSummary(ProtoMapper.summary(run))));
        });
  }

  @Override
  public void profileSerial(
      ProfileSerialRequest request, StreamObserver<ProfileSerialResponse> observer) {
    Call<ProfileSerialResponse> call =
        new Call<>("ProfileSerial", request.getNumsCount(), observer);
    call.begin(
        () -> {
          ProfileRunner.Options options = profiles.validate(request.getOptions(), "options");
          Workload w =
              validator.validate(
                  request.getNumsList(), request.getAlgorithmValue(), 0, 1, request.getPoolValue());
          if (w.pool() == PoolKind.PROCESSES
              && options.artifacts().contains(ArtifactChunk.Format.FORMAT_JFR)) {
            throw Status.FAILED_PRECONDITION
                .withDescription(
                    "options.artifacts: FORMAT_JFR is not available from worker processes;"
                        + " ask for FORMAT_COLLAPSED or FORMAT_FLAMEGRAPH_HTML")
                .asException();
          }
          ProfileRunner.Profiled profiled =
              profiles.start(
                  options,
                  w.tasks().size(),
                  w.pool(),
                  snapshot -> call.send(ProfileSerialResponse.newBuilder().setSnapshot(snapshot)),
                  chunk -> call.send(ProfileSerialResponse.newBuilder().setArtifact(chunk)));
          call.onEnd(profiled::close);
          call.startRun(
              w,
              DispatchOrder.INPUT,
              1,
              w.pool(),
              profiled,
              s ->
                  call.send(
                      ProfileSerialResponse.newBuilder().setTaskStarted(ProtoMapper.started(s))),
              r -> {
                profiled.taskDone();
                call.send(
                    ProfileSerialResponse.newBuilder().setTaskFinished(ProtoMapper.finished(r)));
              },
              run ->
                  profiled.finish(
                      profile ->
                          call.complete(
                              ProfileSerialResponse.newBuilder()
                                  .setSummary(
                                      ProfileSummary.newBuilder()
                                          .setRun(ProtoMapper.summary(run))
                                          .setProfile(profile))),
                      call::fail));
        });
  }

  @Override
  public void compare(CompareRequest request, StreamObserver<CompareResponse> observer) {
    Call<CompareResponse> call = new Call<>("Compare", request.getNumsCount(), observer);
    call.begin(
        () -> {
          ProfileRunner.Options options =
              request.getProfile() ? profiles.validate(null, "profile") : null;
          Workload w =
              validator.validate(
                  request.getNumsList(),
                  request.getAlgorithmValue(),
                  request.getParallelism(),
                  2,
                  request.getPoolValue());
          new ComparePhases(call, w, options).startSerial();
        });
  }

  /** Runs Compare's two phases one after the other on the same call. */
  private final class ComparePhases {
    private final Call<CompareResponse> call;
    private final Workload workload;
    private final ProfileRunner.Options profileOptions;

    ComparePhases(
        Call<CompareResponse> call, Workload workload, ProfileRunner.Options profileOptions) {
      this.call = call;
      this.workload = workload;
      this.profileOptions = profileOptions;
    }

    void startSerial() {
      runPhase(
          Phase.PHASE_SERIAL,
          DispatchOrder.INPUT,
          1,
          PoolKind.THREADS,
          (serial, serialProfile) -> startParallel(serial, serialProfile));
    }

    private void startParallel(RunResult serial, Profile serialProfile) {
      runPhase(
          Phase.PHASE_PARALLEL,
          DispatchOrder.LARGEST_FIRST,
          workload.parallelism(),
          workload.pool(),
          (parallel, parallelProfile) -> {
            SpeedupAnalysis analysis = SpeedupAnalysis.of(serial, parallel);
            dev.fibperf.proto.v1.Comparison.Builder comparison =
                ProtoMapper.comparison(serial, parallel, analysis).toBuilder();
            if (serialProfile != null) {
              comparison.setSerialProfile(serialProfile);
            }
            if (parallelProfile != null) {
              comparison.setParallelProfile(parallelProfile);
            }
            call.complete(CompareResponse.newBuilder().setComparison(comparison));
          });
    }

    private void runPhase(
        Phase phase,
        DispatchOrder order,
        int parallelism,
        PoolKind pool,
        java.util.function.BiConsumer<RunResult, Profile> next) {
      ProfileRunner.Profiled profiled = null;
      if (profileOptions != null) {
        profiled = profiles.start(profileOptions, workload.tasks().size(), pool, s -> {}, c -> {});
        call.onEnd(profiled::close);
      }
      ProfileRunner.Profiled phaseProfile = profiled;
      call.startRun(
          workload,
          order,
          parallelism,
          pool,
          phaseProfile,
          s ->
              call.send(
                  CompareResponse.newBuilder()
                      .setPhase(phase)
                      .setTaskStarted(ProtoMapper.started(s))),
          r ->
              call.send(
                  CompareResponse.newBuilder()
                      .setPhase(phase)
                      .setTaskFinished(ProtoMapper.finished(r))),
          run -> {
            call.send(
                CompareResponse.newBuilder()
                    .setPhase(phase)
                    .setPhaseSummary(ProtoMapper.summary(run)));
            if (phaseProfile == null) {
              call.guard(() -> next.accept(run, null));
            } else {
              phaseProfile.finish(
                  profile -> call.guard(() -> next.accept(run, profile)), call::fail);
            }
          });
    }
  }

  /** Work that may fail with a status. */
  @FunctionalInterface
  interface StatusRunnable {
    void run() throws StatusException;
  }

  /**
   * One RPC from first message to status: its stream, its admission permit, the run in progress and
   * the log line written when it ends.
   */
  private final class Call<T> {
    private final String method;
    private final int requestedTasks;
    private final long startNanos = System.nanoTime();
    private final Deadline deadline = Context.current().getDeadline();
    private final EventStream<T> stream;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Run run;
    private volatile boolean admitted;
    private volatile Runnable onEnd = () -> {};
    // Closed once the run has ended and the stream has closed, in either order.
    private final java.util.concurrent.atomic.AtomicInteger stillOpen =
        new java.util.concurrent.atomic.AtomicInteger(2);

    Call(String method, int requestedTasks, StreamObserver<T> observer) {
      this.method = method;
      this.requestedTasks = requestedTasks;
      openCalls.opened();
      this.stream =
          new EventStream<>(
              (ServerCallStreamObserver<T>) observer,
              STREAM_HIGH_WATER,
              this::cancelRun,
              this::halfClosed);
    }

    private void halfClosed() {
      if (stillOpen.decrementAndGet() == 0) {
        openCalls.closed();
      }
    }

    /** Validates and starts the call; any status thrown ends it. */
    void begin(StatusRunnable body) {
      try {
        if (draining) {
          throw Status.UNAVAILABLE
              .withDescription("server is shutting down; retry on another instance")
              .asException();
        }
        admission.acquire();
        admitted = true;
        body.run();
      } catch (StatusException e) {
        fail(e);
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    /** Runs a continuation that may fail, ending the call with its status if it does. */
    void guard(StatusRunnable body) {
      try {
        body.run();
      } catch (StatusException | RuntimeException e) {
        fail(e);
      }
    }

    /** Adds cleanup to run when the call ends, however it ends. */
    synchronized void onEnd(Runnable cleanup) {
      Runnable previous = onEnd;
      onEnd =
          () -> {
            previous.run();
            cleanup.run();
          };
    }

    void startRun(
        Workload workload,
        DispatchOrder order,
        int parallelism,
        PoolKind poolKind,
        ProfileRunner.Profiled profiled,
        Consumer<dev.fibperf.server.exec.TaskStart> started,
        Consumer<dev.fibperf.server.exec.TaskResult> finished,
        Consumer<RunResult> completed) {
      TaskPool.Lease lease = (poolKind == PoolKind.PROCESSES ? processes : pool).acquire();
      Run.Builder builder =
          Run.newBuilder()
              .tasks(workload.tasks())
              .algorithm(workload.algorithm())
              .parallelism(parallelism)
              .order(order)
              .pool(lease)
              .gate(stream::hasRoom)
              .listener(RunListeners.of(started, finished, completed, this::fail));
      if (profiled != null) {
        builder.window(profiled.window());
      }
      Run next = builder.build();
      run = next;
      stream.onRoom(next::resume);
      // The client may have gone between phases: then this run must not start any work.
      if (stream.isCancelled()) {
        next.cancel();
      }
      next.start();
    }

    void send(com.google.protobuf.GeneratedMessage.Builder<?> message) {
      stream.send(cast(message.build()));
    }

    void complete(com.google.protobuf.GeneratedMessage.Builder<?> message) {
      // Release the permit before the client can see the end, so it can call again at once.
      end(Status.OK);
      stream.complete(cast(message.build()));
    }

    void fail(Throwable cause) {
      Status status = statusOf(cause);
      end(status);
      stream.fail(status);
    }

    private void cancelRun() {
      Run current = run;
      if (current != null) {
        current.cancel();
      }
    }

    private Status statusOf(Throwable cause) {
      if (cause instanceof StatusException) {
        return ((StatusException) cause).getStatus();
      }
      if (cause instanceof CancellationException) {
        if (deadline != null && deadline.isExpired()) {
          return Status.DEADLINE_EXCEEDED.withDescription("deadline passed; run stopped");
        }
        return Status.CANCELLED.withDescription("cancelled by the client; run stopped");
      }
      if (cause instanceof WorkerDiedException) {
        return Status.UNAVAILABLE.withDescription(cause.getMessage());
      }
      if (cause instanceof RejectedExecutionException) {
        return Status.UNAVAILABLE.withDescription("server is shutting down");
      }
      if (cause instanceof IllegalArgumentException) {
        return Status.INVALID_ARGUMENT.withDescription(cause.getMessage());
      }
      LOG.log(Level.ERROR, method + " failed", cause);
      return Status.INTERNAL.withDescription(method + " failed: " + cause).withCause(cause);
    }

    private void end(Status status) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      halfClosed();
      if (admitted) {
        admission.release();
      }
      try {
        onEnd.run();
      } finally {
        LOG.log(
            Level.INFO,
            () ->
                String.format(
                    "rpc=%s tasks=%d status=%s duration=%.3fs%s",
                    method,
                    requestedTasks == 0 ? RequestValidator.DEFAULT_NUMS.size() : requestedTasks,
                    status.getCode(),
                    (System.nanoTime() - startNanos) / 1e9,
                    status.getDescription() == null || status.isOk()
                        ? ""
                        : " message=\"" + status.getDescription() + "\""));
      }
    }

    @SuppressWarnings("unchecked")
    private T cast(Object message) {
      return (T) message;
    }
  }
}
