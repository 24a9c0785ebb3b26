package dev.fibperf.bench;

import dev.fibperf.proto.v1.Algorithm;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.GetRunRequest;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.PoolKind;
import dev.fibperf.proto.v1.ProfileOptions;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.WatchRunsRequest;
import dev.fibperf.server.testing.RawBytes;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ten minutes (or {@code seconds}) of mixed load from {@code clients} threads, each on its own
 * connection: every RPC, both pools, profiles, cancels mid-run, deadlines that expire, watches that
 * are dropped, and bad requests (out-of-range and malformed bytes). Each action knows which
 * statuses it may end with (RESOURCE_EXHAUSTED is always allowed: the load is meant to exceed
 * {@code --max-concurrent-runs}); anything else is counted as unexpected and printed. Every 30 s
 * the server's resident memory and thread count are printed; at the end, their range from minute 2
 * on relative to the median.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.Soak [seconds] [clients]
 * </pre>
 */
public final class Soak {
  private Soak() {}

  private static final Set<Status.Code> OK = Set.of(Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED);

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 600;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    Map<String, AtomicLong> unexpected = new ConcurrentHashMap<>();
    try (ServerJvm server =
        ServerJvm.start("--max-concurrent-runs", "6", "--max-watchers", "4", "--http-port", "-1")) {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        long seed = 42 + c;
        Thread t =
            new Thread(
                () -> {
                  ManagedChannel channel =
                      Grpc.newChannelBuilder(
                              "127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
                          .build();
                  SplittableRandom random = new SplittableRandom(seed);
                  while (System.nanoTime() < end) {
                    String action = ACTIONS[random.nextInt(ACTIONS.length)];
                    Status status;
                    Set<Status.Code> allowed;
                    try {
                      allowed = expected(action);
                      status = run(action, channel, random);
                    } catch (RuntimeException e) {
                      status = Status.fromThrowable(e);
                      allowed = expected(action);
                    }
                    String key = action + " " + status.getCode();
                    outcomes.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
                    if (!allowed.contains(status.getCode())) {
                      unexpected
                          .computeIfAbsent(
                              key + ": " + status.getDescription(), k -> new AtomicLong())
                          .incrementAndGet();
                    }
                  }
                  channel.shutdownNow();
                },
                "soak-client-" + c);
        t.start();
        threads.add(t);
      }
      List<long[]> samples = new ArrayList<>(); // {second, rss KiB, threads}
      System.out.printf(
          Locale.ROOT,
          "java %s, %d s, %d clients; every 30 s: server RSS and threads%n",
          Runtime.version(),
          seconds,
          clients);
      for (int t = 30; t <= seconds; t += 30) {
        Thread.sleep(30_000);
        long[] s = sample(server.pid());
        samples.add(new long[] {t, s[0], s[1]});
        System.out.printf(
            Locale.ROOT, "  %4d s  RSS %6.1f MiB  threads %d%n", t, s[0] / 1024.0, s[1]);
      }
      for (Thread t : threads) {
        t.join();
      }
      System.out.println("outcomes (action status: count):");
      outcomes.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> System.out.println("  " + e.getKey() + ": " + e.getValue()));
      long total = outcomes.values().stream().mapToLong(AtomicLong::get).sum();
      long bad = unexpected.values().stream().mapToLong(AtomicLong::get).sum();
      System.out.printf(Locale.ROOT, "calls: %d, unexpected statuses: %d%n", total, bad);
      unexpected.forEach((k, v) -> System.out.println("  UNEXPECTED " + k + " x" + v));
      report("RSS", samples, 1);
      report("threads", samples, 2);
    }
  }

  private static final String[] ACTIONS = {
    "serial",
    "parallel-threads",
    "parallel-processes",
    "profile",
    "profile-processes",
    "compare",
    "list",
    "get",
    "watch",
    "cancel",
    "deadline",
    "invalid",
    "malformed"
  };

  private static Set<Status.Code> expected(String action) {
    return switch (action) {
      case "cancel" ->
          Set.of(Status.Code.CANCELLED, Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED);
      case "deadline" ->
          Set.of(Status.Code.DEADLINE_EXCEEDED, Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED);
      case "invalid", "malformed" ->
          Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);
      case "get" -> Set.of(Status.Code.OK, Status.Code.NOT_FOUND);
      case "watch" -> Set.of(Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED);
      default -> OK;
    };
  }

  private static Status run(String action, ManagedChannel channel, SplittableRandom random) {
    var stub = FibPerfServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES);
    try {
      switch (action) {
        case "serial" ->
            drain(stub.serial(SerialRequest.newBuilder().addNums(25).addNums(27).build()));
        case "parallel-threads" ->
            drain(
                stub.parallel(
                    ParallelRequest.newBuilder().addNums(28).addNums(29).addNums(27).build()));
        case "parallel-processes" ->
            drain(
                stub.parallel(
                    ParallelRequest.newBuilder()
                        .addNums(28)
                        .addNums(29)
                        .setPool(PoolKind.POOL_KIND_PROCESSES)
                        .build()));
        case "profile" ->
            drain(
                stub.profileSerial(
                    ProfileSerialRequest.newBuilder().addNums(30).addNums(31).build()));
        case "profile-processes" ->
            drain(
                stub.profileSerial(
                    ProfileSerialRequest.newBuilder()
                        .addNums(30)
                        .setPool(PoolKind.POOL_KIND_PROCESSES)
                        .setOptions(
                            ProfileOptions.newBuilder()
                                .addArtifacts(
                                    dev.fibperf.proto.v1.ArtifactChunk.Format.FORMAT_COLLAPSED))
                        .build()));
        case "compare" ->
            drain(
                stub.compare(
                    CompareRequest.newBuilder()
                        .addNums(27)
                        .addNums(28)
                        .addNums(26)
                        .setAlgorithm(Algorithm.ALGORITHM_NAIVE)
                        .build()));
        case "list" -> stub.listRuns(ListRunsRequest.getDefaultInstance());
        case "get" ->
            stub.getRun(GetRunRequest.newBuilder().setRunId(1 + random.nextInt(500)).build());
        case "watch" -> {
          // Half a second of everyone's events, then the deadline ends it (a watch blocks while
          // nothing happens, so a loop that checks the time between events could wait for ever).
          FibPerfServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
              .watchRuns(WatchRunsRequest.getDefaultInstance())
              .forEachRemaining(m -> {});
          return Status.OK;
        }
        case "cancel" -> {
          Context.CancellableContext ctx = Context.current().withCancellation();
          Iterator<?> run =
              within(
                  ctx,
                  () ->
                      stub.parallel(
                          ParallelRequest.newBuilder()
                              .addNums(38)
                              .addNums(38)
                              .setPool(
                                  random.nextBoolean()
                                      ? PoolKind.POOL_KIND_PROCESSES
                                      : PoolKind.POOL_KIND_THREADS)
                              .build()));
          run.next();
          ctx.cancel(null);
          return Status.CANCELLED;
        }
        case "deadline" ->
            drain(
                FibPerfServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(200, TimeUnit.MILLISECONDS)
                    .serial(SerialRequest.newBuilder().addNums(40).build()));
        case "invalid" -> drain(stub.serial(SerialRequest.newBuilder().addNums(99).build()));
        case "malformed" -> {
          var responses =
              ClientCalls.blockingServerStreamingCall(
                  channel,
                  raw(FibPerfServiceGrpc.getCompareMethod()),
                  CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                  new byte[] {0x0F, 0x01});
          responses.forEachRemaining(b -> {});
        }
        default -> throw new IllegalStateException(action);
      }
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  /** {@code call}'s result, started within {@code ctx} (so cancelling it cancels the call). */
  private static <T> T within(Context.CancellableContext ctx, java.util.function.Supplier<T> call) {
    Context previous = ctx.attach();
    try {
      return call.get();
    } finally {
      ctx.detach(previous);
    }
  }

  private static void drain(Iterator<?> it) {
    it.forEachRemaining(m -> {});
  }

  /** {@code typed}'s method with the bytes on the wire as its messages. */
  static MethodDescriptor<byte[], byte[]> raw(MethodDescriptor<?, ?> typed) {
    return typed.toBuilder(RawBytes.MARSHALLER, RawBytes.MARSHALLER).build();
  }

  /** {RSS in KiB, threads} of {@code pid}, from /proc. */
  private static long[] sample(long pid) throws IOException {
    long rss = -1;
    long threads = -1;
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("\\D", ""));
      } else if (line.startsWith("Threads:")) {
        threads = Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return new long[] {rss, threads};
  }

  /** The range of column {@code i} from minute 2 on, relative to its median there. */
  private static void report(String name, List<long[]> samples, int i) {
    long[] later =
        samples.stream().filter(s -> s[0] >= 120).mapToLong(s -> s[i]).sorted().toArray();
    if (later.length == 0) {
      return;
    }
    double median = later[later.length / 2];
    System.out.printf(
        Locale.ROOT,
        "%s from minute 2: %+.1f %% to %+.1f %% of the median%n",
        name,
        (later[0] / median - 1) * 100,
        (later[later.length - 1] / median - 1) * 100);
  }
}
