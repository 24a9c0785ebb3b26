package dev.fibperf.server.service;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.CompareRunsRequest;
import dev.fibperf.proto.v1.CompareRunsResponse;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.GetRunRequest;
import dev.fibperf.proto.v1.GetRunResponse;
import dev.fibperf.proto.v1.KernelInfo;
import dev.fibperf.proto.v1.ListKernelsRequest;
import dev.fibperf.proto.v1.ListKernelsResponse;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.ListRunsResponse;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.RunMethod;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.proto.v1.WatchRunsRequest;
import dev.fibperf.proto.v1.WatchRunsResponse;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.KernelCatalog;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.run.RunRegistry;
import dev.fibperf.server.run.Runner;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The {@code fibperf.v1.FibPerfService}: each RPC maps its request to a run spec, hands it to the
 * {@link Runner}, and maps the run's events to responses under flow control. No math, no
 * orchestration here.
 *
 * <p>Borrows the runner; {@code FibServer} owns it and what it runs on.
 */
public final class FibPerfService extends FibPerfServiceGrpc.FibPerfServiceImplBase {
  private final Runner runner;
  private final RunRegistry runs;
  private final RunLookup lookup;
  private final RequestMapper requests;
  private final ListKernelsResponse kernelList;
  private final OpenCalls openCalls = new OpenCalls();
  private final int maxWatchers;
  private final Duration stalledStreamTimeout;
  private final Set<RunWatch> watches = ConcurrentHashMap.newKeySet();
  private final WatchMessages watchMessages = new WatchMessages();
  private final WatchDelivery watchDelivery = new WatchDelivery();
  private final ScheduledThreadPoolExecutor callTimers = callTimers();
  private volatile boolean draining;

  private final ServerInterceptor auth;
  private final Executor runStarts;
  private final Supplier<ScheduledExecutorService> callLoop;

  /**
   * @param runStarts where admitted runs start: behind the transport's current read, so that a
   *     burst's refusals go out before its admitted runs take the cores (see {@code
   *     TransportThreads})
   * @param callLoop the transport thread (event loop) a call's handler runs on, or null where there
   *     is none: a watch's batches and a run's events are written from there (see {@link
   *     WatchDelivery} and {@link EventStream})
   */
  public FibPerfService(
      ServerConfig config,
      KernelCatalog kernels,
      Runner runner,
      RunLookup lookup,
      ServerInterceptor auth,
      Executor runStarts,
      Supplier<ScheduledExecutorService> callLoop) {
    this.auth = auth;
    this.runStarts = runStarts;
    this.callLoop = callLoop;
    this.requests = new RequestMapper(config, kernels);
    this.kernelList = kernelList(kernels, config);
    this.runner = runner;
    this.lookup = lookup;
    this.runs = lookup.registry();
    this.maxWatchers = config.maxWatchers();
    this.stalledStreamTimeout = config.stalledStreamTimeout();
  }

  /**
   * This service with its access log, run-id headers and access policy, and requests parsed so that
   * a malformed one gets INVALID_ARGUMENT ({@link StrictRequests}), ready to add to a server.
   */
  public ServerServiceDefinition withAccessLog() {
    // The last interceptor sees a call first: the access log, then run ids, then who may call.
    return StrictRequests.of(
        ServerInterceptors.intercept(this, auth, new RunIdHeader(), new AccessLogInterceptor()));
  }

  @Override
  public void serial(SerialRequest request, StreamObserver<SerialResponse> observer) {
    call(observer).serve(() -> requests.serial(request), ResponseMapper.SERIAL);
  }

  @Override
  public void parallel(ParallelRequest request, StreamObserver<ParallelResponse> observer) {
    call(observer).serve(() -> requests.parallel(request), ResponseMapper.PARALLEL);
  }

  @Override
  public void profileSerial(
      ProfileSerialRequest request, StreamObserver<ProfileSerialResponse> observer) {
    call(observer).serve(() -> requests.profileSerial(request), ResponseMapper.PROFILE_SERIAL);
  }

  @Override
  public void compare(CompareRequest request, StreamObserver<CompareResponse> observer) {
    call(observer).serve(() -> requests.compare(request), ResponseMapper.COMPARE);
  }

  @Override
  public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> observer) {
    offTransport(
        observer,
        () -> {
          ListRunsResponse response;
          try {
            response = lookup.list(request);
          } catch (IllegalArgumentException e) {
            observer.onError(
                Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
          }
          observer.onNext(response);
          observer.onCompleted();
        });
  }

  /**
   * Runs {@code read}, which may read the run history, on the lookup's readers ({@link
   * RunLookup#read}); refuses with RESOURCE_EXHAUSTED when too many reads wait already, skips a
   * read whose caller has gone, and ends the call with INTERNAL if the read throws.
   */
  private <T> void offTransport(StreamObserver<T> observer, Runnable read) {
    ServerCallStreamObserver<T> call =
        observer instanceof ServerCallStreamObserver
            ? (ServerCallStreamObserver<T>) observer
            : null;
    if (call != null) {
      // An answer to a caller gone meanwhile is dropped, not thrown at the reader.
      call.setOnCancelHandler(() -> {});
    }
    try {
      lookup.read(
          () -> {
            if (call != null && call.isCancelled()) {
              return;
            }
            try {
              read.run();
            } catch (RuntimeException e) {
              observer.onError(
                  Status.INTERNAL
                      .withDescription("reading runs failed: " + e)
                      .asRuntimeException());
            }
          });
    } catch (RejectedExecutionException e) {
      observer.onError(
          Status.RESOURCE_EXHAUSTED
              .withDescription(
                  "history reads: "
                      + RunLookup.READERS
                      + " running and "
                      + RunLookup.WAITING_READS
                      + " waiting, the most this server takes; retry when one is done")
              .asRuntimeException());
    }
  }

  @Override
  public void listKernels(
      ListKernelsRequest request, StreamObserver<ListKernelsResponse> observer) {
    observer.onNext(kernelList);
    observer.onCompleted();
  }

  /** The kernels with the sizes this server accepts: fixed at start, so made once. */
  private static ListKernelsResponse kernelList(KernelCatalog kernels, ServerConfig config) {
    ListKernelsResponse.Builder b = ListKernelsResponse.newBuilder();
    for (Algorithm a : kernels.all()) {
      b.addKernels(
          KernelInfo.newBuilder()
              .setName(a.kernelName())
              .setVersion(a.kernel().version())
              .setDescription(a.kernel().description())
              .setMinSize(a.kernel().minSize())
              .setMaxSize(config.maxN(a))
              .setOrigin(a.origin())
              .setDigest(a.digest())
              .setAlgorithm(Protos.algorithm(a)));
    }
    return b.build();
  }

  @Override
  public void getRun(GetRunRequest request, StreamObserver<GetRunResponse> observer) {
    offTransport(
        observer,
        () -> {
          Optional<RunInfo> run = lookup.get(request.getRunId());
          if (run.isEmpty()) {
            observer.onError(notFound(request.getRunId()).asRuntimeException());
            return;
          }
          observer.onNext(GetRunResponse.newBuilder().setRun(run.get()).build());
          observer.onCompleted();
        });
  }

  @Override
  public void compareRuns(
      CompareRunsRequest request, StreamObserver<CompareRunsResponse> observer) {
    offTransport(observer, () -> compareRunsNow(request, observer));
  }

  private void compareRunsNow(
      CompareRunsRequest request, StreamObserver<CompareRunsResponse> observer) {
    if (!request.getLabel().isEmpty() || !request.getBaselineLabel().isEmpty()) {
      compareLabels(request, observer);
      return;
    }
    try {
      observer.onNext(
          CompareRunsResponse.newBuilder()
              .setChange(lookup.change(request.getRunId(), request.getBaselineRunId()))
              .build());
      observer.onCompleted();
    } catch (io.grpc.StatusException e) {
      observer.onError(e.getStatus().asRuntimeException());
    }
  }

  /** Most runs of one label a comparison reads, each side. */
  static final int MAX_LABELLED_RUNS = 1000;

  private void compareLabels(
      CompareRunsRequest request, StreamObserver<CompareRunsResponse> observer) {
    Status refusal = null;
    if (request.getRunId() != 0 || request.getBaselineRunId() != 0) {
      refusal =
          Status.INVALID_ARGUMENT.withDescription(
              "label and baseline_label compare sets of runs: leave run_id and baseline_run_id"
                  + " unset");
    } else if (request.getLabel().isEmpty() || request.getBaselineLabel().isEmpty()) {
      refusal =
          Status.INVALID_ARGUMENT.withDescription(
              (request.getLabel().isEmpty() ? "label" : "baseline_label")
                  + " is empty; a comparison of labelled runs needs both");
    }
    if (refusal == null) {
      try {
        RequestMapper.label(request.getLabel());
        RequestMapper.label(request.getBaselineLabel());
      } catch (io.grpc.StatusException e) {
        refusal = e.getStatus();
      }
    }
    if (refusal != null) {
      observer.onError(refusal.asRuntimeException());
      return;
    }
    java.util.List<RunInfo> runs = lookup.labelled(request.getLabel(), MAX_LABELLED_RUNS);
    java.util.List<RunInfo> baseline =
        lookup.labelled(request.getBaselineLabel(), MAX_LABELLED_RUNS);
    for (var side :
        java.util.List.of(
            java.util.Map.entry(request.getLabel(), runs),
            java.util.Map.entry(request.getBaselineLabel(), baseline))) {
      if (side.getValue().isEmpty()) {
        observer.onError(
            Status.NOT_FOUND
                .withDescription("no finished run is labelled \"" + side.getKey() + "\"")
                .asRuntimeException());
        return;
      }
    }
    try {
      observer.onNext(
          CompareRunsResponse.newBuilder()
              .setChange(
                  RunChanges.betweenLabels(
                      request.getLabel(), runs, request.getBaselineLabel(), baseline))
              .build());
      observer.onCompleted();
    } catch (IllegalArgumentException e) {
      observer.onError(
          Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
    }
  }

  private Status notFound(long runId) {
    return Status.NOT_FOUND.withDescription(
        "run_id="
            + runId
            + (lookup.history().enabled()
                ? " is neither in flight nor in the run history"
                : " is neither in flight nor among the last "
                    + runs.recentCapacity()
                    + " finished (--recent-runs; the run history is off)"));
  }

  @Override
  public void watchRuns(WatchRunsRequest request, StreamObserver<WatchRunsResponse> observer) {
    if (request.getMethod() == RunMethod.UNRECOGNIZED) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  "method="
                      + request.getMethodValue()
                      + " is not one of RUN_METHOD_SERIAL, RUN_METHOD_PARALLEL,"
                      + " RUN_METHOD_PROFILE_SERIAL, RUN_METHOD_COMPARE")
              .asRuntimeException());
      return;
    }
    if (draining) {
      observer.onError(
          Status.UNAVAILABLE
              .withDescription("server is shutting down; retry on another instance")
              .asRuntimeException());
      return;
    }
    long runId = request.getRunId();
    Optional<RunRegistry.RunRecord> known = runId == 0 ? Optional.empty() : runs.get(runId);
    if (runId != 0 && known.isEmpty()) {
      observer.onError(notFound(runId).asRuntimeException());
      return;
    }
    AtomicReference<ScheduledFuture<?>> expiry = new AtomicReference<>();
    AtomicBoolean closed = new AtomicBoolean();
    RunWatch watch =
        new RunWatch(
            (ServerCallStreamObserver<WatchRunsResponse>) observer,
            watchDelivery,
            callLoop.get(),
            self -> {
              watches.remove(self);
              closed.set(true);
              ScheduledFuture<?> timer = expiry.get();
              if (timer != null) {
                timer.cancel(false);
              }
            });
    synchronized (watches) {
      if (watches.size() >= maxWatchers) {
        watch.end(
            Status.RESOURCE_EXHAUSTED.withDescription(
                "watchers at max "
                    + maxWatchers
                    + " (--max-watchers); retry when one disconnects"));
        return;
      }
      watches.add(watch);
    }
    // Like a run's call, a watch ends itself just before its deadline, so every client reads the
    // server's DEADLINE_EXCEEDED rather than a reset it may report as CANCELLED.
    Deadline deadline = Context.current().getDeadline();
    if (deadline != null) {
      Duration left = Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS));
      ScheduledFuture<?> timer =
          callTimers.schedule(
              () ->
                  watch.end(
                      Status.DEADLINE_EXCEEDED.withDescription("deadline passed; watch ended")),
              left.minus(RpcCall.deadlineLead(left)).toNanos(),
              TimeUnit.NANOSECONDS);
      expiry.set(timer);
      if (closed.get()) {
        timer.cancel(false); // the watch closed meanwhile
      }
    }
    boolean watchedRunInFlight = watch.subscribe(runs, runId, request.getMethod(), watchMessages);
    if (runId != 0 && !watchedRunInFlight) {
      // The run had already finished (before this call, or just before the watch began).
      runs.get(runId).ifPresent(r -> watch.complete(RunsMapper.finished(r)));
    }
  }

  /**
   * Polls the shared history for other replicas' finished runs while anyone watches, handing each
   * to this replica's watchers.
   *
   * @param replica this replica, as its runs are stored
   */
  public Runnable otherReplicas(String replica, java.time.Clock clock) {
    return new OtherReplicas(
        lookup.history(),
        replica,
        () -> watchers() > 0,
        run -> {
          java.util.List<RunWatch> all;
          synchronized (watches) {
            all = java.util.List.copyOf(watches);
          }
          all.forEach(w -> w.finishedElsewhere(run));
        },
        clock);
  }

  private <T> RpcCall<T> call(StreamObserver<T> observer) {
    return new RpcCall<>(
        runner, openCalls, callTimers, runStarts, stalledStreamTimeout, callLoop.get(), observer);
  }

  /** Stops the calls' timers: after the server has stopped, no call is left to time. */
  public void close() {
    callTimers.shutdownNow();
  }

  /** One thread for the calls' deadline timers, there only while a timer is pending. */
  private static ScheduledThreadPoolExecutor callTimers() {
    ScheduledThreadPoolExecutor timers =
        new ScheduledThreadPoolExecutor(
            1,
            new ThreadFactoryBuilder()
                .setNameFormat("fibperf-call-timers")
                .setDaemon(true)
                .build());
    timers.setRemoveOnCancelPolicy(true); // a call that ends in time leaves nothing behind
    timers.setKeepAliveTime(1, TimeUnit.SECONDS);
    timers.allowCoreThreadTimeOut(true);
    return timers;
  }

  /**
   * Ends the calls still open with UNAVAILABLE, so that clients (and their retry policies) see why
   * rather than a reset stream; for when the shutdown grace is over.
   */
  public void abortOpenCalls(Duration grace) {
    openCalls.abortAll(
        Status.UNAVAILABLE.withDescription(
            "server shutting down: the run did not finish within the shutdown grace of "
                + grace
                + "; retry on another instance"));
  }

  /** From now on, new calls get UNAVAILABLE; calls already running carry on. */
  public void startDraining() {
    draining = true;
    runner.startDraining();
    // Watches never end by themselves; a drain must not wait for them.
    for (RunWatch watch : watches) {
      watch.end(Status.UNAVAILABLE.withDescription("server is shutting down"));
    }
  }

  /**
   * Waits until every fibperf call has finished its run and flushed its stream.
   *
   * @return false if {@code timeout} passed first
   */
  public boolean awaitCallsDone(Duration timeout) throws InterruptedException {
    return openCalls.awaitNone(timeout);
  }

  /** WatchRuns calls connected right now. */
  public int watchers() {
    return watches.size();
  }

  /**
   * fibperf calls open now: from their start until their run has ended and their status is sent.
   */
  public int openCalls() {
    return openCalls.count();
  }

  /** Calls doing work right now. */
  public int activeRuns() {
    return runner.activeRuns();
  }
}
