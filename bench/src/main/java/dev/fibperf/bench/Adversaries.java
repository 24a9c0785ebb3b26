package dev.fibperf.bench;

import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.proto.v1.WatchRunsRequest;
import dev.fibperf.proto.v1.WatchRunsResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Many anonymous clients doing the cheapest harmful things at once, for {@code seconds} (default
 * 120), against a server JVM with its HTTP port on: Parallel calls with 1 ms deadlines, calls reset
 * as soon as they start, HTTP requests left half-sent, streams whose reader never reads, peer calls
 * without the cluster secret (the server is a cluster replica), malformed and gzip-garbage bodies
 * to every service, and failing HTTP requests. Beside them a legitimate client calls Serial [25]
 * every 200 ms with a 15 s deadline; it reports how many of its calls succeeded and their latency.
 * At the end, once the attackers have stopped, the server's run slots, open calls and watchers
 * (from /metrics), its open files and its threads (from /proc) are compared with their values
 * before the attack.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.Adversaries [seconds]
 * </pre>
 */
public final class Adversaries {
  private Adversaries() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 120;
    int httpPort = ServerJvm.freePort();
    Map<String, AtomicLong> attacks = new ConcurrentHashMap<>();
    int port = ServerJvm.freePort();
    // A cluster replica (its own only peer), so that PeerService is there to be attacked.
    try (ServerJvm server =
        ServerJvm.startOn(
            port,
            "--max-concurrent-runs",
            "16",
            "--http-port",
            String.valueOf(httpPort),
            "--peers",
            "127.0.0.1:" + port,
            "--insecure-plaintext-peers-on-loopback",
            "--cluster-secret-file",
            ServerJvm.clusterSecret().toString())) {
      HttpClient http = HttpClient.newHttpClient();
      String target = "127.0.0.1:" + server.port();
      // Every attack once first: pools, event loops and timers start lazily, and the baseline is
      // the server with everything started, not a cold one.
      SplittableRandom warm = new SplittableRandom(1);
      for (Attack a :
          List.<Attack>of(
              r -> oneMsDeadline(target),
              r -> reset(target),
              r -> stalled(target),
              r -> peerCall(target),
              r -> garbage(target, r),
              r -> failingHttp(http, httpPort, r))) {
        try {
          a.run(warm);
        } catch (Exception ignored) {
          // refused, as it should be
        }
      }
      Thread.sleep(75_000); // past the HTTP port's idle threads' 60 s keep-alive
      long[] before = resources(server, http, httpPort);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      List<Thread> threads = new ArrayList<>();
      threads.add(attacker("1ms-deadline", end, attacks, r -> oneMsDeadline(target)));
      threads.add(attacker("1ms-deadline", end, attacks, r -> oneMsDeadline(target)));
      threads.add(attacker("reset", end, attacks, r -> reset(target)));
      threads.add(attacker("half-open-http", end, attacks, r -> halfOpen(httpPort)));
      threads.add(attacker("stalled-reader", end, attacks, r -> stalled(target)));
      threads.add(attacker("peer-call", end, attacks, r -> peerCall(target)));
      threads.add(attacker("garbage-body", end, attacks, r -> garbage(target, r)));
      threads.add(attacker("failing-http", end, attacks, r -> failingHttp(http, httpPort, r)));
      Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
      Map<String, AtomicLong> legit = new ConcurrentHashMap<>();
      ManagedChannel channel =
          Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
      while (System.nanoTime() < end) {
        long t0 = System.nanoTime();
        String outcome;
        try {
          FibPerfServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(15, TimeUnit.SECONDS)
              .serial(SerialRequest.newBuilder().addNums(25).build())
              .forEachRemaining(m -> {});
          outcome = "OK";
        } catch (StatusRuntimeException e) {
          outcome = e.getStatus().getCode().name();
        }
        latency.recordValue(
            Math.min(
                TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0),
                latency.getHighestTrackableValue()));
        legit.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
        Thread.sleep(200);
      }
      for (Thread t : threads) {
        t.join();
      }
      channel.shutdownNow();
      Thread.sleep(12_000); // past the HTTP port's 10 s request timeout: half-sent requests drop
      long[] soon = resources(server, http, httpPort);
      Thread.sleep(63_000); // and past the idle HTTP threads' keep-alive
      long[] after = resources(server, http, httpPort);
      System.out.printf(
          Locale.ROOT, "java %s, %d s of attack; attacks made:%n", Runtime.version(), seconds);
      attacks.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> System.out.println("  " + e.getKey() + ": " + e.getValue()));
      System.out.printf(
          Locale.ROOT,
          "legitimate Serial [25] calls: %s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          legit,
          latency.getValueAtPercentile(50) / 1000.0,
          latency.getValueAtPercentile(99) / 1000.0,
          latency.getMaxValue() / 1000.0);
      String[] names = {
        "runs active", "calls open", "watchers", "open files", "of them sockets", "threads"
      };
      System.out.println(
          "server sockets 75 s after, by local port and TCP state: " + sockets(server));
      System.out.println("server resources: before the attack, 12 s after it, 75 s after it");
      for (int i = 0; i < names.length; i++) {
        System.out.printf(
            Locale.ROOT, "  %-16s %5d %5d %5d%n", names[i], before[i], soon[i], after[i]);
      }
    }
  }

  @FunctionalInterface
  private interface Attack {
    void run(SplittableRandom random) throws Exception;
  }

  /** Only these attacks (-Dfibperf.bench.attacks=reset,half-open-http), to find which one hurts. */
  private static final String ONLY = System.getProperty("fibperf.bench.attacks", "");

  private static Thread attacker(
      String name, long end, Map<String, AtomicLong> counts, Attack attack) {
    if (!ONLY.isEmpty() && !List.of(ONLY.split(",")).contains(name)) {
      return new Thread(() -> {});
    }
    Thread t =
        new Thread(
            () -> {
              SplittableRandom random = new SplittableRandom(name.hashCode());
              while (System.nanoTime() < end) {
                try {
                  attack.run(random);
                } catch (Exception | AssertionError ignored) {
                  // An attacker does not care how it was refused.
                }
                counts.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
              }
            },
            "attacker-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void oneMsDeadline(String target) {
    ManagedChannel c = channel(target);
    try {
      FibPerfServiceGrpc.newBlockingStub(c)
          .withDeadlineAfter(1, TimeUnit.MILLISECONDS)
          .parallel(ParallelRequest.newBuilder().addNums(30).addNums(30).build())
          .forEachRemaining(m -> {});
    } catch (StatusRuntimeException expected) {
      // DEADLINE_EXCEEDED, or RESOURCE_EXHAUSTED while slots are full
    } finally {
      c.shutdownNow();
    }
  }

  private static void reset(String target) {
    ManagedChannel c = channel(target);
    try {
      ClientCall<SerialRequest, SerialResponse> call =
          c.newCall(FibPerfServiceGrpc.getSerialMethod(), CallOptions.DEFAULT);
      call.start(new ClientCall.Listener<SerialResponse>() {}, new Metadata());
      call.sendMessage(SerialRequest.newBuilder().addNums(32).build());
      call.halfClose();
      call.cancel("reset", null);
    } finally {
      c.shutdownNow();
    }
  }

  /** Half a request line, held until the server drops it (its 10 s request timeout). */
  private static void halfOpen(int httpPort) throws IOException {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        Socket s = new Socket("127.0.0.1", httpPort);
        OutputStream out = s.getOutputStream();
        out.write("GET /api/runs HTTP/1.1\r\nHost: x".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        held.add(s);
      }
      held.get(0).setSoTimeout(30_000);
      held.get(0).getInputStream().read(); // until the server closes it
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  /** A Compare and a watch whose reader asks for one message and never another. */
  private static void stalled(String target) throws InterruptedException {
    ManagedChannel c = channel(target);
    try {
      ClientCall<WatchRunsRequest, WatchRunsResponse> watch =
          c.newCall(FibPerfServiceGrpc.getWatchRunsMethod(), CallOptions.DEFAULT);
      watch.start(new ClientCall.Listener<WatchRunsResponse>() {}, new Metadata());
      watch.request(1);
      watch.sendMessage(WatchRunsRequest.getDefaultInstance());
      watch.halfClose();
      ClientCall<CompareRequest, CompareResponse> compare =
          c.newCall(FibPerfServiceGrpc.getCompareMethod(), CallOptions.DEFAULT);
      compare.start(new ClientCall.Listener<CompareResponse>() {}, new Metadata());
      compare.request(1);
      compare.sendMessage(CompareRequest.newBuilder().addNums(26).addNums(27).build());
      compare.halfClose();
      Thread.sleep(5000);
    } finally {
      c.shutdownNow();
    }
  }

  private static void peerCall(String target) {
    ManagedChannel c = channel(target);
    try {
      ClientCalls.blockingUnaryCall(
          c,
          dev.fibperf.proto.cluster.v1.PeerServiceGrpc.getComputeMethod(),
          CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
          dev.fibperf.proto.cluster.v1.ComputeRequest.newBuilder()
              .setN(42)
              .setKernel(dev.fibperf.proto.cluster.v1.Kernel.KERNEL_NAIVE)
              .build());
    } catch (StatusRuntimeException expected) {
      // UNAUTHENTICATED: the call carries no cluster secret
    } finally {
      c.shutdownNow();
    }
  }

  private static final List<MethodDescriptor<?, ?>> METHODS = new ArrayList<>();

  static {
    METHODS.addAll(FibPerfServiceGrpc.getServiceDescriptor().getMethods());
    METHODS.addAll(io.grpc.health.v1.HealthGrpc.getServiceDescriptor().getMethods());
    METHODS.addAll(io.grpc.reflection.v1.ServerReflectionGrpc.getServiceDescriptor().getMethods());
    METHODS.addAll(
        dev.fibperf.proto.cluster.v1.PeerServiceGrpc.getServiceDescriptor().getMethods());
  }

  /** Protobuf garbage, or bytes flagged gzip that are not, to a random method of any service. */
  private static void garbage(String target, SplittableRandom random) {
    CompressorRegistry lying = CompressorRegistry.newEmptyInstance();
    lying.register(
        new Compressor() {
          @Override
          public String getMessageEncoding() {
            return "gzip";
          }

          @Override
          public OutputStream compress(OutputStream os) {
            return os;
          }
        });
    ManagedChannel c =
        Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
            .compressorRegistry(lying)
            .build();
    try {
      MethodDescriptor<byte[], byte[]> raw =
          Soak.raw(METHODS.get(random.nextInt(METHODS.size()))).toBuilder()
              .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
              .build();
      CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
      ClientCalls.blockingServerStreamingCall(
              c,
              raw,
              random.nextBoolean() ? options.withCompression("gzip") : options,
              new byte[] {0x0F, 0x08, -1, -1})
          .forEachRemaining(m -> {});
    } catch (StatusRuntimeException expected) {
      // INVALID_ARGUMENT
    } finally {
      c.shutdownNow();
    }
  }

  private static void failingHttp(HttpClient http, int port, SplittableRandom random)
      throws Exception {
    String[] paths = {
      "/api/runs/999999", "/runs/999999/flamegraph.html", "/api/runs?access_token=x", "/nothing"
    };
    http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + paths[random.nextInt(paths.length)]))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  private static ManagedChannel channel(String target) {
    return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
  }

  /** The server's sockets counted by "local port state", from /proc/net/tcp{,6}. */
  private static Map<String, Integer> sockets(ServerJvm server) throws IOException {
    java.util.Set<String> inodes = new java.util.HashSet<>();
    try (var list = Files.list(Path.of("/proc", String.valueOf(server.pid()), "fd"))) {
      for (Path fd : list.toList()) {
        try {
          String link = Files.readSymbolicLink(fd).toString();
          if (link.startsWith("socket:[")) {
            inodes.add(link.substring(8, link.length() - 1));
          }
        } catch (IOException gone) {
          // closed since the listing
        }
      }
    }
    Map<String, Integer> counts = new java.util.TreeMap<>();
    String[] states = {
      "?",
      "ESTABLISHED",
      "SYN_SENT",
      "SYN_RECV",
      "FIN_WAIT1",
      "FIN_WAIT2",
      "TIME_WAIT",
      "CLOSE",
      "CLOSE_WAIT",
      "LAST_ACK",
      "LISTEN",
      "CLOSING"
    };
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String line :
          Files.readAllLines(Path.of(table))
              .subList(1, Files.readAllLines(Path.of(table)).size())) {
        String[] f = line.trim().split("\\s+");
        if (inodes.contains(f[9])) {
          int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
          int st = Integer.parseInt(f[3], 16);
          counts.merge(port + " " + (st < states.length ? states[st] : f[3]), 1, Integer::sum);
          inodes.remove(f[9]);
        }
      }
    }
    for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 6 && inodes.remove(f[6])) {
        counts.merge("unix", 1, Integer::sum);
      }
    }
    if (!inodes.isEmpty()) {
      counts.put("in no table (closed, not yet released)", inodes.size());
    }
    return counts;
  }

  private static final Pattern GAUGE =
      Pattern.compile("^(fibperf_runs_active|fibperf_calls_open|fibperf_watchers)\\S* (\\S+)$");

  /** {runs active, calls open, watchers, open files, sockets, threads} of the server now. */
  private static long[] resources(ServerJvm server, HttpClient http, int httpPort)
      throws Exception {
    long[] r = new long[6];
    String metrics =
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : metrics.split("\n")) {
      Matcher m = GAUGE.matcher(line);
      if (m.matches()) {
        int i =
            m.group(1).equals("fibperf_runs_active")
                ? 0
                : m.group(1).equals("fibperf_calls_open") ? 1 : 2;
        r[i] = (long) Double.parseDouble(m.group(2));
      }
    }
    Path proc = Path.of("/proc", String.valueOf(server.pid()));
    List<Path> fds;
    try (var list = Files.list(proc.resolve("fd"))) {
      fds = list.toList();
    }
    r[3] = fds.size();
    for (Path fd : fds) {
      try {
        if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
          r[4]++;
        }
      } catch (IOException closedMeanwhile) {
        // gone since the listing
      }
    }
    try (var tasks = Files.list(proc.resolve("task"))) {
      r[5] = tasks.count();
    }
    return r;
  }
}
