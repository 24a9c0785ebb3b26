package dev.fibperf.client;

import com.google.protobuf.Message;
import dev.fibperf.client.internal.Channels;
import dev.fibperf.client.internal.ProtoMapping;
import dev.fibperf.client.internal.Requests;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.SerialRequest;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The fibperf client: one per application, thread-safe. Each RPC comes in three styles: blocking
 * (returns the final result), streaming (every event as it arrives, cancellable) and async (a
 * {@link CompletableFuture}; cancelling it cancels the call).
 *
 * <pre>{@code
 * try (FibPerfClient client =
 *     FibPerfClient.create(FibPerfSettings.newBuilder("localhost:50051").build())) {
 *   Comparison c = client.compare(Workload.DEFAULT);
 *   System.out.printf("speedup %.2f of %.2f possible%n", c.speedup(), c.idealSpeedup());
 * }
 * }</pre>
 *
 * <p>Failures are {@link FibPerfException}s carrying the gRPC status. A client made by {@link
 * #create(FibPerfSettings)} owns its channel and {@link #close()} shuts it down; one made by {@link
 * #create(Channel, FibPerfSettings)} borrows the caller's.
 */
public final class FibPerfClient implements AutoCloseable {

  private final Channel channel;
  private final ManagedChannel owned;
  private final FibPerfSettings settings;
  private final Duration deadline;

  /**
   * @param channel with the settings' interceptors and credentials already in place
   * @param owned the channel to shut down on {@link #close()}, or null
   */
  private FibPerfClient(
      Channel channel, ManagedChannel owned, FibPerfSettings settings, Duration deadline) {
    this.channel = channel;
    this.owned = owned;
    this.settings = settings;
    this.deadline = deadline;
  }

  /**
   * Connects as {@code settings} say. The connection is made lazily, on the first call.
   *
   * <pre>{@code
   * FibPerfClient client = FibPerfClient.create(FibPerfSettings.newBuilder("localhost:50051").build());
   * }</pre>
   *
   * @throws UncheckedIOException if the TLS CA file cannot be read
   */
  public static FibPerfClient create(FibPerfSettings settings) {
    return create(settings, builder -> {});
  }

  /**
   * Connects as {@code settings} say, after {@code customizer} has set what the settings do not
   * cover on the channel builder (for Netty, e.g., its own event loop group or a proxy detector).
   * The client owns and closes the channel; anything the customizer created is the caller's to
   * release after {@link #close()}.
   *
   * @throws UncheckedIOException if the TLS CA file cannot be read
   */
  public static FibPerfClient create(
      FibPerfSettings settings, Consumer<ManagedChannelBuilder<?>> customizer) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(customizer, "customizer");
    ManagedChannel channel = Channels.open(settings, customizer);
    return new FibPerfClient(
        Channels.decorated(channel, settings),
        channel,
        settings,
        settings.defaultDeadline().orElse(null));
  }

  /**
   * A client on a channel the caller owns and configures (e.g. an in-process channel in tests); of
   * {@code settings}, the deadline, interceptors and call credentials apply, the target names the
   * server in error messages, and {@link #close()} leaves the channel open.
   *
   * <pre>{@code
   * FibPerfClient client =
   *     FibPerfClient.create(
   *         myChannel, FibPerfSettings.newBuilder("fibperf.internal:443").defaultDeadline(Duration.ofSeconds(30)).build());
   * }</pre>
   */
  public static FibPerfClient create(Channel channel, FibPerfSettings settings) {
    return new FibPerfClient(
        Channels.decorated(Objects.requireNonNull(channel, "channel"), settings),
        null,
        settings,
        settings.defaultDeadline().orElse(null));
  }

  /**
   * A client on a channel the caller owns and configures, with default settings: no deadline, no
   * interceptors. {@link #close()} leaves the channel open.
   *
   * <pre>{@code
   * FibPerfClient client = FibPerfClient.create(InProcessChannelBuilder.forName("fibperf").build());
   * }</pre>
   */
  public static FibPerfClient create(Channel channel) {
    Objects.requireNonNull(channel, "channel");
    return create(channel, FibPerfSettings.newBuilder(channel.authority()).build());
  }

  /**
   * A view of this client whose calls have {@code deadline}; it shares the channel, and closing it
   * does nothing.
   *
   * <pre>{@code
   * RunSummary s = client.withDeadline(Duration.ofSeconds(5)).serial(Workload.DEFAULT);
   * }</pre>
   */
  public FibPerfClient withDeadline(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    return new FibPerfClient(channel, null, settings, deadline);
  }

  /** The settings this client was made with: {@code client.settings().target()}. */
  public FibPerfSettings settings() {
    return settings;
  }

  // ---- Serial ----

  /**
   * Runs the tasks one after another and returns the summary.
   *
   * <pre>{@code
   * RunSummary s = client.serial(Workload.of(34, 35, 36, 35));
   * }</pre>
   */
  public RunSummary serial(Workload workload) {
    return finalEvent(serialStream(workload), RunSummary.class);
  }

  /**
   * Runs the tasks one after another, streaming each task's start and finish, then the summary.
   *
   * <pre>{@code
   * try (EventStream events = client.serialStream(Workload.DEFAULT)) {
   *   events.forEachRemaining(System.out::println);
   * }
   * }</pre>
   */
  public EventStream serialStream(Workload workload) {
    SerialRequest request = Requests.serial(workload);
    return stream(stub -> stub.serial(request), ProtoMapping::serial);
  }

  /**
   * Runs the tasks one after another; the future completes with the summary.
   *
   * <pre>{@code
   * client.serialAsync(Workload.DEFAULT).thenAccept(s -> System.out.println(s.wall()));
   * }</pre>
   */
  public CompletableFuture<RunSummary> serialAsync(Workload workload) {
    SerialRequest request = Requests.serial(workload);
    return async(o -> async().serial(request, o), ProtoMapping::serial, RunSummary.class);
  }

  // ---- Parallel ----

  /**
   * Runs the tasks on up to {@code workload.parallelism()} workers, largest first.
   *
   * <pre>{@code
   * RunSummary s = client.parallel(Workload.DEFAULT.withParallelism(2));
   * }</pre>
   */
  public RunSummary parallel(Workload workload) {
    return finalEvent(parallelStream(workload), RunSummary.class);
  }

  /**
   * Runs the tasks in parallel, streaming each start and finish in the order they happen.
   *
   * <pre>{@code
   * try (EventStream events = client.parallelStream(Workload.DEFAULT)) {
   *   events.stream().filter(TaskFinished.class::isInstance).forEach(System.out::println);
   * }
   * }</pre>
   */
  public EventStream parallelStream(Workload workload) {
    ParallelRequest request = Requests.parallel(workload);
    return stream(stub -> stub.parallel(request), ProtoMapping::parallel);
  }

  /**
   * Runs the tasks in parallel; the future completes with the summary.
   *
   * <pre>{@code
   * CompletableFuture<RunSummary> f = client.parallelAsync(Workload.DEFAULT);
   * }</pre>
   */
  public CompletableFuture<RunSummary> parallelAsync(Workload workload) {
    ParallelRequest request = Requests.parallel(workload);
    return async(o -> async().parallel(request, o), ProtoMapping::parallel, RunSummary.class);
  }

  // ---- ProfileSerial ----

  /**
   * Profiles the serial run with Java Flight Recorder and returns the hot methods of this call.
   *
   * <pre>{@code
   * ProfileResult p = client.profileSerial(Workload.DEFAULT, ProfileOptions.DEFAULT);
   * System.out.println(p.profile().self().get(0).method()); // ...FibKernels.naive(int)
   * }</pre>
   */
  public ProfileResult profileSerial(Workload workload, ProfileOptions options) {
    return finalEvent(profileSerialStream(workload, options), ProfileResult.class);
  }

  /**
   * Profiles the serial run, streaming task events, live {@link ProfileSnapshot}s, artifact chunks,
   * then the {@link ProfileResult}.
   *
   * <pre>{@code
   * try (EventStream events = client.profileSerialStream(Workload.of(40, 40), ProfileOptions.DEFAULT)) {
   *   for (FibEvent e : events) if (e instanceof ProfileSnapshot s) System.out.println(s.tasksDone());
   * }
   * }</pre>
   */
  public EventStream profileSerialStream(Workload workload, ProfileOptions options) {
    ProfileSerialRequest request = Requests.profileSerial(workload, options);
    ProtoMapping.ProfileAssembler assembler = new ProtoMapping.ProfileAssembler();
    return stream(stub -> stub.profileSerial(request), assembler::map);
  }

  /**
   * Profiles the serial run; the future completes with the result.
   *
   * <pre>{@code
   * client.profileSerialAsync(Workload.DEFAULT, ProfileOptions.DEFAULT).join();
   * }</pre>
   */
  public CompletableFuture<ProfileResult> profileSerialAsync(
      Workload workload, ProfileOptions options) {
    ProfileSerialRequest request = Requests.profileSerial(workload, options);
    ProtoMapping.ProfileAssembler assembler = new ProtoMapping.ProfileAssembler();
    return async(o -> async().profileSerial(request, o), assembler::map, ProfileResult.class);
  }

  // ---- Compare ----

  /**
   * Runs serial, then parallel, and returns the speedup against what the machine allows.
   *
   * <pre>{@code
   * Comparison c = client.compare(Workload.DEFAULT, CompareOptions.DEFAULT.withProfile(true));
   * }</pre>
   *
   * @param profile whether to profile both phases too
   * @deprecated a boolean says nothing at the call site: use the {@link CompareOptions} overload,
   *     {@code CompareOptions.DEFAULT.withProfile(true)}
   */
  @Deprecated
  public Comparison compare(Workload workload, boolean profile) {
    return compare(workload, CompareOptions.DEFAULT.withProfile(profile));
  }

  /**
   * Compare, measured as {@code options} say.
   *
   * <pre>{@code
   * Comparison c =
   *     client.compare(Workload.DEFAULT, CompareOptions.DEFAULT.withSchedule(Schedule.LARGEST_FIRST));
   * }</pre>
   */
  public Comparison compare(Workload workload, CompareOptions options) {
    return finalEvent(compareStream(workload, options), Comparison.class);
  }

  /**
   * Compare without profiles.
   *
   * <pre>{@code
   * Comparison c = client.compare(Workload.DEFAULT);
   * }</pre>
   */
  public Comparison compare(Workload workload) {
    return compare(workload, CompareOptions.DEFAULT);
  }

  /**
   * Streams the serial phase's events, its {@link PhaseCompleted}, the parallel phase's, then the
   * {@link Comparison}.
   *
   * <pre>{@code
   * try (EventStream events = client.compareStream(Workload.DEFAULT, CompareOptions.DEFAULT)) {
   *   events.forEachRemaining(System.out::println);
   * }
   * }</pre>
   *
   * @deprecated a boolean says nothing at the call site: use the {@link CompareOptions} overload,
   *     {@code CompareOptions.DEFAULT.withProfile(true)}
   */
  @Deprecated
  public EventStream compareStream(Workload workload, boolean profile) {
    return compareStream(workload, CompareOptions.DEFAULT.withProfile(profile));
  }

  /** {@link #compareStream(Workload, boolean)}, measured as {@code options} say. */
  public EventStream compareStream(Workload workload, CompareOptions options) {
    CompareRequest request = Requests.compare(workload, options);
    return stream(stub -> stub.compare(request), ProtoMapping::compare);
  }

  /**
   * Compare; the future completes with the comparison.
   *
   * <pre>{@code
   * client.compareAsync(Workload.DEFAULT, CompareOptions.DEFAULT).thenAccept(c -> System.out.println(c.speedup()));
   * }</pre>
   *
   * @deprecated a boolean says nothing at the call site: use the {@link CompareOptions} overload,
   *     {@code CompareOptions.DEFAULT.withProfile(true)}
   */
  @Deprecated
  public CompletableFuture<Comparison> compareAsync(Workload workload, boolean profile) {
    return compareAsync(workload, CompareOptions.DEFAULT.withProfile(profile));
  }

  /** {@link #compareAsync(Workload, boolean)}, measured as {@code options} say. */
  public CompletableFuture<Comparison> compareAsync(Workload workload, CompareOptions options) {
    CompareRequest request = Requests.compare(workload, options);
    return async(o -> async().compare(request, o), ProtoMapping::compare, Comparison.class);
  }

  // ---- Non-blocking: every event, with backpressure ----

  /**
   * Serial's events as a {@link Flow.Publisher}: each {@code subscribe} starts a call, and the
   * subscriber's demand is its flow control (the client asks for the next event only when the
   * subscriber wants one; at most one event waits in the client). Events arrive on gRPC's executor;
   * {@code cancel()} cancels the call and the server stops its tasks. Adapters exist for Reactor
   * ({@code JdkFlowAdapter}) and RxJava ({@code FlowAdapters}).
   *
   * <pre>{@code
   * client.serialPublisher(Workload.DEFAULT).subscribe(new Flow.Subscriber<FibEvent>() {
   *   Flow.Subscription s;
   *   public void onSubscribe(Flow.Subscription s) { this.s = s; s.request(1); }
   *   public void onNext(FibEvent e) { dashboard.show(e); s.request(1); }
   *   public void onError(Throwable t) { dashboard.failed(t); }
   *   public void onComplete() {}
   * });
   * }</pre>
   */
  public Flow.Publisher<FibEvent> serialPublisher(Workload workload) {
    SerialRequest request = Requests.serial(workload);
    return new EventPublisher<>(
        o -> async().serial(request, o), () -> ProtoMapping::serial, this::failure);
  }

  /** Parallel's events as a {@link Flow.Publisher}, as {@link #serialPublisher} describes. */
  public Flow.Publisher<FibEvent> parallelPublisher(Workload workload) {
    ParallelRequest request = Requests.parallel(workload);
    return new EventPublisher<>(
        o -> async().parallel(request, o), () -> ProtoMapping::parallel, this::failure);
  }

  /** ProfileSerial's events as a {@link Flow.Publisher}, as {@link #serialPublisher} describes. */
  public Flow.Publisher<FibEvent> profileSerialPublisher(
      Workload workload, ProfileOptions options) {
    ProfileSerialRequest request = Requests.profileSerial(workload, options);
    return new EventPublisher<>(
        o -> async().profileSerial(request, o),
        () -> new ProtoMapping.ProfileAssembler()::map,
        this::failure);
  }

  /** Compare's events as a {@link Flow.Publisher}, as {@link #serialPublisher} describes. */
  public Flow.Publisher<FibEvent> comparePublisher(Workload workload, CompareOptions options) {
    CompareRequest request = Requests.compare(workload, options);
    return new EventPublisher<>(
        o -> async().compare(request, o), () -> ProtoMapping::compare, this::failure);
  }

  /**
   * {@link #watchRuns}'s events as a {@link Flow.Publisher}, as {@link #serialPublisher} describes:
   * a dashboard that falls behind is told how many events it missed ({@code EVENTS_DROPPED}), the
   * runs it watches never wait for it.
   */
  public Flow.Publisher<FibEvent> watchRunsPublisher(long runId, RunMethod method) {
    dev.fibperf.proto.v1.WatchRunsRequest request = Requests.watch(runId, method);
    return new EventPublisher<>(
        o -> FibPerfServiceGrpc.newStub(channel).watchRuns(request, o),
        () -> ProtoMapping::watched,
        this::failure);
  }

  // ---- Runs ----

  /**
   * The server's runs in flight and its most recently finished ones (the first page of its run
   * history), whoever started them.
   *
   * <pre>{@code
   * RunList runs = client.listRuns();
   * runs.inFlight().forEach(r -> System.out.println(r.runId() + " " + r.tasksDone() + "/" + r.tasksTotal()));
   * }</pre>
   */
  public RunList listRuns() {
    return listRuns(RunQuery.all());
  }

  /**
   * A page of the server's runs: of one method or one workload, after an earlier page.
   *
   * @throws FibPerfException with INVALID_ARGUMENT for a page size above 1000 or a bad token
   */
  public RunList listRuns(RunQuery query) {
    return ProtoMapping.runList(listRunsMessage(query));
  }

  /**
   * {@link #listRuns()} as the server's message, for tools that print it in the protobuf JSON
   * mapping (as {@code fibperf runs --json} does) or pass it on.
   */
  public dev.fibperf.proto.v1.ListRunsResponse listRunsMessage() {
    return listRunsMessage(RunQuery.all());
  }

  /** {@link #listRuns(RunQuery)} as the server's message. */
  public dev.fibperf.proto.v1.ListRunsResponse listRunsMessage(RunQuery query) {
    try {
      return blocking().listRuns(ProtoMapping.listRuns(query));
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  /**
   * Judges a finished run against a baseline: an earlier run of the same workload, or, with {@code
   * baselineRunId} 0, the last clean one before it. Each figure's change comes with its interval
   * and a verdict (faster, slower, no detectable change).
   *
   * <pre>{@code
   * RunChange change = client.compareRuns(newRun, 0);
   * System.out.println(change.serialCost().verdict() + " " + change.serialCost().ratio());
   * }</pre>
   *
   * @throws FibPerfException with FAILED_PRECONDITION for runs of different workloads or no earlier
   *     clean run, NOT_FOUND for a run the server does not know
   */
  public RunChange compareRuns(long runId, long baselineRunId) {
    return ProtoMapping.change(compareRunsMessage(runId, baselineRunId).getChange());
  }

  /**
   * Judges the runs labelled {@code label} against those labelled {@code baselineLabel} (each
   * labelled with {@link Workload#withLabel}; all of one workload): each run's wall is a sample,
   * and the change is the ratio of their means with its interval and verdict. This is how two
   * {@code fibperf bench} runs are compared.
   *
   * @throws FibPerfException with NOT_FOUND when a label has no finished run, FAILED_PRECONDITION
   *     when the runs are not all of one workload
   */
  public RunChange compareLabels(String label, String baselineLabel) {
    return ProtoMapping.change(compareLabelsMessage(label, baselineLabel).getChange());
  }

  /** {@link #compareLabels} as the server's message. */
  public dev.fibperf.proto.v1.CompareRunsResponse compareLabelsMessage(
      String label, String baselineLabel) {
    try {
      return blocking()
          .compareRuns(
              dev.fibperf.proto.v1.CompareRunsRequest.newBuilder()
                  .setLabel(label)
                  .setBaselineLabel(baselineLabel)
                  .build());
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  /** {@link #compareRuns} as the server's message, for tools that print it as JSON. */
  public dev.fibperf.proto.v1.CompareRunsResponse compareRunsMessage(
      long runId, long baselineRunId) {
    try {
      return blocking()
          .compareRuns(
              dev.fibperf.proto.v1.CompareRunsRequest.newBuilder()
                  .setRunId(runId)
                  .setBaselineRunId(baselineRunId)
                  .build());
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  /**
   * The kernels the server runs, built-in ones first.
   *
   * <pre>{@code
   * client.listKernels().forEach(k -> System.out.println(k.name() + " " + k.description()));
   * }</pre>
   */
  public java.util.List<KernelInfo> listKernels() {
    return listKernelsMessage().getKernelsList().stream().map(ProtoMapping::kernel).toList();
  }

  /** {@link #listKernels()} as the server's message, for tools that print it as JSON. */
  public dev.fibperf.proto.v1.ListKernelsResponse listKernelsMessage() {
    try {
      return blocking().listKernels(dev.fibperf.proto.v1.ListKernelsRequest.getDefaultInstance());
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  /**
   * One run in flight, recent, or in the server's run history.
   *
   * @throws FibPerfException with NOT_FOUND if the server does not know it (any more)
   */
  public RunInfo getRun(long runId) {
    return ProtoMapping.run(getRunMessage(runId).getRun());
  }

  /** {@link #getRun} as the server's message, for tools that print or export it. */
  public dev.fibperf.proto.v1.GetRunResponse getRunMessage(long runId) {
    try {
      return blocking()
          .getRun(dev.fibperf.proto.v1.GetRunRequest.newBuilder().setRunId(runId).build());
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  /**
   * Watches the server's runs: first those in flight, then every run's lifecycle as it happens, as
   * {@link RunWatchEvent}s, until closed. Without a deadline: a watch lasts as long as its caller
   * wants. Watching one run ends with that run.
   *
   * <pre>{@code
   * try (EventStream watch = client.watchRuns(0, null)) {
   *   for (FibEvent e : watch) System.out.println(((RunWatchEvent) e).kind());
   * }
   * }</pre>
   *
   * @param runId only this run, or 0 for every run
   * @param method only runs of this method, or null for all
   */
  public EventStream watchRuns(long runId, RunMethod method) {
    dev.fibperf.proto.v1.WatchRunsRequest built = Requests.watch(runId, method);
    return stream(
        stub -> FibPerfServiceGrpc.newBlockingStub(stub.getChannel()).watchRuns(built),
        ProtoMapping::watched);
  }

  // ---- Health ----

  /**
   * The whole server's health: {@code if (client.health() == ServingStatus.SERVING) ...}.
   *
   * @throws FibPerfException if the server cannot be reached
   */
  public ServingStatus health() {
    return health("");
  }

  /**
   * The server's health for {@code service} ("" for the whole server).
   *
   * <pre>{@code
   * boolean up = client.health("fibperf.v1.FibPerfService") == ServingStatus.SERVING;
   * }</pre>
   */
  public ServingStatus health(String service) {
    try {
      HealthCheckResponse response =
          withDeadline(HealthGrpc.newBlockingStub(channel))
              .check(HealthCheckRequest.newBuilder().setService(service).build());
      switch (response.getStatus()) {
        case SERVING:
          return ServingStatus.SERVING;
        case NOT_SERVING:
          return ServingStatus.NOT_SERVING;
        case SERVICE_UNKNOWN:
          return ServingStatus.SERVICE_UNKNOWN;
        default:
          return ServingStatus.UNKNOWN;
      }
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  /**
   * Shuts down the channel if this client owns it, waiting up to five seconds: {@code
   * client.close()}, or use try-with-resources.
   */
  @Override
  public void close() {
    if (owned != null) {
      owned.shutdown();
      try {
        if (!owned.awaitTermination(5, TimeUnit.SECONDS)) {
          owned.shutdownNow();
        }
      } catch (InterruptedException e) {
        owned.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- plumbing ----

  private FibPerfException failure(Throwable t) {
    return FibPerfException.from(t, settings.target());
  }

  private FibPerfServiceGrpc.FibPerfServiceBlockingStub blocking() {
    return withDeadline(FibPerfServiceGrpc.newBlockingStub(channel));
  }

  private FibPerfServiceGrpc.FibPerfServiceStub async() {
    return withDeadline(FibPerfServiceGrpc.newStub(channel));
  }

  private <S extends AbstractStub<S>> S withDeadline(S stub) {
    return deadline == null
        ? stub
        : stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  private <M extends Message> EventStream stream(
      Function<FibPerfServiceGrpc.FibPerfServiceBlockingStub, Iterator<M>> call,
      Function<? super M, FibEvent> mapper) {
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach();
    AtomicReference<Metadata> headers = new AtomicReference<>();
    try {
      FibPerfServiceGrpc.FibPerfServiceBlockingStub stub =
          blocking()
              .withInterceptors(
                  MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()));
      return new EventStream(context, call.apply(stub), mapper, headers, settings.target());
    } catch (RuntimeException e) {
      context.cancel(e);
      throw failure(e);
    } finally {
      context.detach(previous);
    }
  }

  private static <T extends FibEvent> T finalEvent(EventStream events, Class<T> type) {
    try (events) {
      FibEvent last = null;
      while (events.hasNext()) {
        last = events.next();
      }
      if (!type.isInstance(last)) {
        throw new IllegalStateException("stream ended without its " + type.getSimpleName());
      }
      return type.cast(last);
    }
  }

  private <M, R extends FibEvent> CompletableFuture<R> async(
      Consumer<ClientResponseObserver<Object, M>> start,
      Function<? super M, FibEvent> mapper,
      Class<R> type) {
    CompletableFuture<R> result = new CompletableFuture<>();
    start.accept(
        new ClientResponseObserver<Object, M>() {
          private FibEvent last;

          @Override
          public void beforeStart(ClientCallStreamObserver<Object> call) {
            // Cancelling the future cancels the RPC, and the server stops its tasks.
            result.whenComplete(
                (r, t) -> {
                  if (result.isCancelled()) {
                    call.cancel("future cancelled by the caller", null);
                  }
                });
          }

          @Override
          public void onNext(M message) {
            last = mapper.apply(message);
          }

          @Override
          public void onError(Throwable t) {
            result.completeExceptionally(failure(t));
          }

          @Override
          public void onCompleted() {
            if (type.isInstance(last)) {
              result.complete(type.cast(last));
            } else {
              result.completeExceptionally(
                  new IllegalStateException("stream ended without its " + type.getSimpleName()));
            }
          }
        });
    return result;
  }
}
