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
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.SpeedupAnalysis;
import dev.fibperf.server.exec.TaskPool;
import dev.fibperf.server.exec.process.ProcessPool;
import dev.fibperf.server.profile.JfrProfiler;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The {@code fibperf.v1.FibPerfService}: maps requests to runs on the shared {@link WorkerPool},
 * streams their events under flow control, and maps every failure to a precise status. It does no
 * math itself.
 *
 * <p>The service borrows the pools and the profiling executor; {@code FibServer} owns them.
 */
public final class FibPerfService extends FibPerfServiceGrpc.FibPerfServiceImplBase {

  private final TaskPool pool;
  private final ProcessPool processes;
  private final RequestValidator validator;
  private final Admission admission;
  private final ProfileRunner profiles;
  private volatile boolean draining;
  private final OpenCalls openCalls = new OpenCalls();
  private final ServiceCall.CallResources resources;

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
    this.resources =
        new ServiceCall.CallResources(admission, openCalls, () -> draining, pool, processes);
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
    ServiceCall<SerialResponse> call =
        new ServiceCall<>(resources, "Serial", request.getNumsCount(), observer);
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
    ServiceCall<ParallelResponse> call =
        new ServiceCall<>(resources, "Parallel", request.getNumsCount(), observer);
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
    ServiceCall<ProfileSerialResponse> call =
        new ServiceCall<>(resources, "ProfileSerial", request.getNumsCount(), observer);
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
          call.then(
              profiles.start(
                  options,
                  w.tasks().size(),
                  w.pool(),
                  snapshot -> call.send(ProfileSerialResponse.newBuilder().setSnapshot(snapshot)),
                  chunk -> call.send(ProfileSerialResponse.newBuilder().setArtifact(chunk))),
              profiled -> {
                call.onEnd(profiled::close);
                call.startRun(
                    w,
                    DispatchOrder.INPUT,
                    1,
                    w.pool(),
                    profiled,
                    s ->
                        call.send(
                            ProfileSerialResponse.newBuilder()
                                .setTaskStarted(ProtoMapper.started(s))),
                    r -> {
                      profiled.taskDone();
                      call.send(
                          ProfileSerialResponse.newBuilder()
                              .setTaskFinished(ProtoMapper.finished(r)));
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
        });
  }

  @Override
  public void compare(CompareRequest request, StreamObserver<CompareResponse> observer) {
    ServiceCall<CompareResponse> call =
        new ServiceCall<>(resources, "Compare", request.getNumsCount(), observer);
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
    private final ServiceCall<CompareResponse> call;
    private final Workload workload;
    private final ProfileRunner.Options profileOptions;

    ComparePhases(
        ServiceCall<CompareResponse> call,
        Workload workload,
        ProfileRunner.Options profileOptions) {
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
      if (profileOptions == null) {
        startPhaseRun(phase, order, parallelism, pool, null, next);
        return;
      }
      call.then(
          profiles.start(profileOptions, workload.tasks().size(), pool, s -> {}, c -> {}),
          profiled -> {
            call.onEnd(profiled::close);
            startPhaseRun(phase, order, parallelism, pool, profiled, next);
          });
    }

    private void startPhaseRun(
        Phase phase,
        DispatchOrder order,
        int parallelism,
        PoolKind pool,
        ProfileRunner.Profiled phaseProfile,
        java.util.function.BiConsumer<RunResult, Profile> next) {
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
}
