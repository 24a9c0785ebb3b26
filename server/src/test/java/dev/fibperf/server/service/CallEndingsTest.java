package dev.fibperf.server.service;

import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.WatchRunsRequest;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.metrics.FibPerfMetrics;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Every call, whatever ends it and whenever, gives back what it took. Hundreds of calls over a real
 * socket, each of a random method, each ended in a random way (its deadline, anywhere from before
 * admission to after the summary; a cancel; its connection dropped; a reader that stops reading; a
 * refusal; or its natural end) at a random instant; then every run slot, open call, in-flight run
 * and watcher is back to zero, and nothing was logged as SEVERE. Seeded: a failure prints the seed,
 * and {@code -Dfibperf.endings.seed=S} replays it ({@code -Dfibperf.endings.calls=N} for more).
 */
class CallEndingsTest {
  private enum Ending {
    DEADLINE,
    CANCEL,
    DISCONNECT,
    STALLED_READER,
    REFUSED,
    NATURAL
  }

  private static final List<MethodDescriptor<? extends Message, ? extends Message>> METHODS =
      List.of(
          FibPerfServiceGrpc.getSerialMethod(),
          FibPerfServiceGrpc.getParallelMethod(),
          FibPerfServiceGrpc.getCompareMethod(),
          FibPerfServiceGrpc.getProfileSerialMethod(),
          FibPerfServiceGrpc.getWatchRunsMethod());

  @Test
  void everyResourceReturns_whateverEndsACall_andWhenever() throws Exception {
    long seed = Long.getLong("fibperf.endings.seed", System.nanoTime());
    int calls = Integer.getInteger("fibperf.endings.calls", 600);
    Random random = new Random(seed);
    List<LogRecord> severe = new CopyOnWriteArrayList<>();
    Handler severeOnly = severeCapture(severe);
    Logger root = Logger.getLogger("");
    root.addHandler(severeOnly);
    FibServer server =
        FibServer.newBuilder(
                Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()),
                ServerConfig.newBuilder()
                    .workers(2)
                    .maxConcurrentRuns(4)
                    .profilingEnabled(true)
                    .stalledStreamTimeout(Duration.ofMillis(200))
                    .build())
            .build()
            .start();
    ManagedChannel shared = channel(server);
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    Map<Ending, AtomicInteger> ended = new ConcurrentHashMap<>();
    Map<Status.Code, AtomicInteger> statuses = new ConcurrentHashMap<>();
    try {
      Semaphore inFlight = new Semaphore(8);
      CountDownLatch closed = new CountDownLatch(calls);
      for (int i = 0; i < calls; i++) {
        inFlight.acquire();
        Ending ending = Ending.values()[random.nextInt(Ending.values().length)];
        @SuppressWarnings("unchecked")
        MethodDescriptor<Message, Message> method =
            (MethodDescriptor<Message, Message>) METHODS.get(random.nextInt(METHODS.size()));
        Message request = request(method, random, ending == Ending.REFUSED);
        long delayMicros = random.nextInt(ending == Ending.DEADLINE ? 300_000 : 100_000);
        ManagedChannel channel = ending == Ending.DISCONNECT ? channel(server) : shared;
        CallOptions options =
            ending == Ending.DEADLINE
                ? CallOptions.DEFAULT.withDeadlineAfter(delayMicros, TimeUnit.MICROSECONDS)
                : CallOptions.DEFAULT;
        ClientCall<Message, Message> call = channel.newCall(method, options);
        call.start(
            new ClientCall.Listener<>() {
              @Override
              public void onMessage(Message message) {
                if (ending != Ending.STALLED_READER) {
                  call.request(1);
                }
              }

              @Override
              public void onClose(Status status, Metadata trailers) {
                ended.computeIfAbsent(ending, e -> new AtomicInteger()).incrementAndGet();
                statuses
                    .computeIfAbsent(status.getCode(), c -> new AtomicInteger())
                    .incrementAndGet();
                if (channel != shared) {
                  channel.shutdownNow();
                }
                inFlight.release();
                closed.countDown();
              }
            },
            new Metadata());
        call.request(ending == Ending.STALLED_READER ? 1 : 2);
        call.sendMessage(request);
        call.halfClose();
        switch (ending) {
          case CANCEL, STALLED_READER ->
              timers.schedule(
                  () -> call.cancel("the test ends it", null), delayMicros, TimeUnit.MICROSECONDS);
          case DISCONNECT ->
              timers.schedule(channel::shutdownNow, delayMicros, TimeUnit.MICROSECONDS);
          case NATURAL, REFUSED, DEADLINE -> {
            if (method == (Object) FibPerfServiceGrpc.getWatchRunsMethod()) {
              // A watch has no natural end: the client leaves it after a while.
              timers.schedule(() -> call.cancel("done watching", null), 50, TimeUnit.MILLISECONDS);
            }
          }
        }
      }
      assertTrue(closed.await(5, TimeUnit.MINUTES), "every call closed (seed " + seed + ")");

      FibPerfService service = server.service();
      await("every resource back at its baseline (seed " + seed + ")")
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  service.activeRuns() == 0
                      && service.openCalls() == 0
                      && server.runs().inFlight().isEmpty()
                      && server.runs().subscriberCount() == 0
                      && service.watchers() == 0
                      && server
                              .metrics()
                              .registry()
                              .get(FibPerfMetrics.PROFILE_SESSIONS)
                              .gauge()
                              .value()
                          == 0);
      assertEquals(
          List.of(),
          severe.stream().map(r -> r.getMessage() + " " + r.getThrown()).toList(),
          "nothing SEVERE (seed " + seed + "; endings " + ended + ", statuses " + statuses + ")");
      // The mix reached every kind of end (600 calls: each kind ~100 times).
      assertEquals(Ending.values().length, ended.size(), ended.toString());
    } finally {
      root.removeHandler(severeOnly);
      timers.shutdownNow();
      shared.shutdownNow();
      server.stop();
    }
  }

  private static Message request(MethodDescriptor<?, ?> method, Random random, boolean invalid) {
    if (method == FibPerfServiceGrpc.getWatchRunsMethod()) {
      return WatchRunsRequest.getDefaultInstance();
    }
    int tasks = 1 + random.nextInt(4);
    List<Integer> nums = new java.util.ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      nums.add(invalid && t == 0 ? 99 : 18 + random.nextInt(10)); // fib(27) is a few ms
    }
    if (method == FibPerfServiceGrpc.getSerialMethod()) {
      return SerialRequest.newBuilder().addAllNums(nums).build();
    } else if (method == FibPerfServiceGrpc.getParallelMethod()) {
      return ParallelRequest.newBuilder().addAllNums(nums).build();
    } else if (method == FibPerfServiceGrpc.getCompareMethod()) {
      // Several rounds, fixed or until a short budget, so endings land between and inside them.
      CompareRequest.Builder compare = CompareRequest.newBuilder().addAllNums(nums);
      if (random.nextBoolean()) {
        compare.setRounds(1 + random.nextInt(4));
      } else {
        compare.setBudget(com.google.protobuf.util.Durations.fromMillis(50 + random.nextInt(250)));
      }
      return compare.build();
    }
    return ProfileSerialRequest.newBuilder().addAllNums(nums).build();
  }

  private static ManagedChannel channel(FibServer server) {
    return Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
        .build();
  }

  private static Handler severeCapture(List<LogRecord> into) {
    return new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
          into.add(record);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }
}
