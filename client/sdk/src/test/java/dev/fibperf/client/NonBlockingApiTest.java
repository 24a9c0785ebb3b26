package dev.fibperf.client;

import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's non-blocking surface against a real server (in-process transport): publishers with
 * backpressure, interceptors and call credentials in the settings, messages that name the target.
 */
class NonBlockingApiTest {
  private FibServer server;
  private ManagedChannel channel;
  private FibPerfClient client;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        new FibServer(
                InProcessServerBuilder.forName(name),
                ServerConfig.newBuilder().workers(2).maxConcurrentRuns(4).build())
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    client = FibPerfClient.create(channel);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    channel.shutdownNow();
    server.stop();
  }

  /** Records every signal, and whether any onNext came without demand for it. */
  private static final class Recorder implements Flow.Subscriber<FibEvent> {
    final List<FibEvent> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final AtomicLong demand = new AtomicLong();
    final AtomicInteger overDelivered = new AtomicInteger();
    final long initial;
    final boolean oneMoreEachTime;
    volatile Flow.Subscription subscription;

    Recorder(long initial, boolean oneMoreEachTime) {
      this.initial = initial;
      this.oneMoreEachTime = oneMoreEachTime;
    }

    void request(long n) {
      demand.addAndGet(n);
      subscription.request(n);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (initial > 0) {
        request(initial);
      }
    }

    @Override
    public void onNext(FibEvent e) {
      if (demand.decrementAndGet() < 0) {
        overDelivered.incrementAndGet();
      }
      events.add(e);
      if (oneMoreEachTime) {
        request(1);
      }
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }
  }

  @Test
  void publisher_oneAtATime_deliversEveryEventThenCompletes_neverMoreThanAsked() throws Exception {
    Recorder r = new Recorder(1, true);
    client.parallelPublisher(Workload.of(25, 26, 27, 28)).subscribe(r);

    r.done.get(60, TimeUnit.SECONDS);
    assertEquals(4, r.events.stream().filter(e -> e instanceof TaskFinished).count());
    assertInstanceOf(RunSummary.class, r.events.get(r.events.size() - 1));
    assertEquals(0, r.overDelivered.get());
  }

  @Test
  void publisher_withoutDemand_holdsTheRestBack_untilAsked() throws Exception {
    Recorder r = new Recorder(2, false);
    client.serialPublisher(Workload.of(20, 21, 22, 23, 24, 25)).subscribe(r);

    await("two events").until(() -> r.events.size() == 2);
    // The server has computed further (its run is past its first task, or done), yet nothing more
    // came without demand.
    await("the server to get ahead of the subscriber")
        .until(
            () ->
                !client.listRuns().recent().isEmpty()
                    || client.listRuns().inFlight().get(0).tasksDone() >= 2);
    assertEquals(2, r.events.size());
    assertFalse(r.done.isDone());

    r.request(Long.MAX_VALUE);
    r.done.get(60, TimeUnit.SECONDS);
    assertInstanceOf(RunSummary.class, r.events.get(r.events.size() - 1));
    assertEquals(0, r.overDelivered.get());
  }

  @Test
  void cancel_cancelsTheRunOnTheServer() throws Exception {
    Recorder r = new Recorder(1, false);
    client.serialPublisher(Workload.of(20, 44, 44, 44)).subscribe(r);
    await("the first event").until(() -> !r.events.isEmpty());

    r.subscription.cancel();

    await("the run to end as cancelled")
        .until(
            () ->
                client.listRuns().inFlight().isEmpty()
                    && client.listRuns().recent().get(0).state() == RunState.CANCELLED);
    assertFalse(r.done.isDone()); // nothing is signalled after cancel
  }

  @Test
  void badRequest_signalsTheStatusAsOnError() {
    Recorder r = new Recorder(1, true);
    client.serialPublisher(Workload.of(99)).subscribe(r);

    Throwable t = assertThrowsCause(r.done);
    assertInstanceOf(FibPerfException.InvalidRequestException.class, t);
    assertTrue(t.getMessage().contains("nums[0]=99"), t.getMessage());
  }

  @Test
  void nonPositiveRequest_signalsIllegalArgument_andCancels() {
    Recorder r = new Recorder(0, false);
    client.serialPublisher(Workload.of(20, 44)).subscribe(r);
    r.subscription.request(0);

    Throwable t = assertThrowsCause(r.done);
    assertInstanceOf(IllegalArgumentException.class, t);
    assertTrue(t.getMessage().contains("request(0)"), t.getMessage());
  }

  @Test
  void watchRunsPublisher_seesARunItDidNotStart() throws Exception {
    Recorder watcher = new Recorder(Long.MAX_VALUE, false);
    client.watchRunsPublisher(0, null).subscribe(watcher);
    await("the watch to be open").until(() -> server.service().watchers() == 1);

    RunSummary s = client.serial(Workload.of(20, 21));

    await("the run's finish")
        .until(
            () ->
                watcher.events.stream()
                    .anyMatch(
                        e ->
                            e instanceof RunWatchEvent w
                                && w.runId() == s.runId()
                                && w.kind() == RunWatchEvent.Kind.FINISHED));
    watcher.subscription.cancel();
  }

  @Test
  void settings_interceptorsAndCallCredentials_applyToEveryCall() {
    AtomicInteger intercepted = new AtomicInteger();
    AtomicInteger credentialed = new AtomicInteger();
    ClientInterceptor counting =
        new ClientInterceptor() {
          @Override
          public <Q, R> ClientCall<Q, R> interceptCall(
              MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            intercepted.incrementAndGet();
            return next.newCall(method, options);
          }
        };
    CallCredentials token =
        new CallCredentials() {
          @Override
          public void applyRequestMetadata(
              RequestInfo info, Executor executor, MetadataApplier applier) {
            credentialed.incrementAndGet();
            Metadata headers = new Metadata();
            headers.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer t");
            applier.apply(headers);
          }
        };
    try (FibPerfClient c =
        FibPerfClient.create(
            channel,
            FibPerfSettings.newBuilder("in-process")
                .interceptors(counting)
                .callCredentials(token)
                .build())) {
      c.serial(Workload.of(20));
      assertEquals(ServingStatus.SERVING, c.health());
    }
    assertEquals(2, intercepted.get());
    assertEquals(2, credentialed.get());
  }

  @Test
  void deadline_messageNamesTheTarget_withoutGrpcInternals() {
    FibPerfClient hurried =
        FibPerfClient.create(
            channel,
            FibPerfSettings.newBuilder("fibperf.test:50051")
                .defaultDeadline(Duration.ofMillis(50))
                .build());
    FibPerfException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            FibPerfException.DeadlineExceededException.class,
            () -> hurried.serial(Workload.of(45)));

    assertEquals(
        "DEADLINE_EXCEEDED: no answer from fibperf.test:50051 within the call's deadline",
        e.getMessage());
    assertTrue(e.status().getDescription() != null); // gRPC's own detail is kept
  }

  @Test
  void unreachable_messageNamesTheTarget() {
    try (FibPerfClient nowhere =
        FibPerfClient.create(FibPerfSettings.newBuilder("127.0.0.1:1").maxAttempts(1).build())) {
      FibPerfException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              FibPerfException.ServiceUnavailableException.class, () -> nowhere.health());
      assertTrue(
          e.getMessage().startsWith("UNAVAILABLE: cannot reach 127.0.0.1:1: "), e.getMessage());
      assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
    }
  }

  private static Throwable assertThrowsCause(CompletableFuture<Void> done) {
    AtomicReference<Throwable> cause = new AtomicReference<>();
    await("the error").until(() -> done.isCompletedExceptionally());
    done.whenComplete((v, t) -> cause.set(t));
    return cause.get();
  }
}
