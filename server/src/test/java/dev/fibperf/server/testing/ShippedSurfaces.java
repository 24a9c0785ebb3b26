package dev.fibperf.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonStreamParser;
import dev.fibperf.server.http.HttpEndpoints;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Every user-facing surface of a running server artifact (the packaged jar, the image's
 * entrypoint), exercised as its users reach it: each RPC that server reflection lists, called with
 * {@code buf curl} (a client fibperf did not write), and each path of {@link HttpEndpoints#ROUTES}
 * over HTTP. Each check reads a real figure (a fib value, a run id, a hot method). What the
 * artifact lists is the list: a method reflection shows with no call here, or a route without a
 * request here, fails {@link #assertEverySurfaceCovered()}.
 */
public final class ShippedSurfaces {
  private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);

  private final String grpcTarget;
  private final int httpPort;
  private final Set<String> covered = new TreeSet<>();
  private final Set<String> expected = new TreeSet<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

  /** The result of one {@code buf} command. */
  public record Buf(int exit, String out) {
    /** Every JSON message it printed, in order. */
    public List<JsonObject> messages() {
      List<JsonObject> all = new ArrayList<>();
      JsonStreamParser parser = new JsonStreamParser(out);
      while (parser.hasNext()) {
        JsonElement e = parser.next();
        if (e.isJsonObject()) {
          all.add(e.getAsJsonObject());
        }
      }
      return all;
    }

    public JsonObject last() {
      List<JsonObject> all = messages();
      assertTrue(!all.isEmpty(), "no message: " + out);
      return all.get(all.size() - 1);
    }
  }

  public ShippedSurfaces(String grpcTarget, int httpPort) {
    this.grpcTarget = grpcTarget;
    this.httpPort = httpPort;
  }

  /** True where {@code buf} runs; CI (FIBPERF_REQUIRE_BUF) fails instead of skipping without. */
  public static boolean haveBuf() {
    boolean have;
    try {
      have = run(List.of("buf", "--version")).exit() == 0;
    } catch (IOException e) {
      have = false;
    }
    if (System.getenv("FIBPERF_REQUIRE_BUF") != null) {
      assertTrue(have, "buf is not on PATH: npm install -g @bufbuild/buf");
    }
    return have;
  }

  /**
   * Calls every RPC reflection lists, then requests every HTTP route; the run ids come from the
   * calls (a profiled Compare gives the flame graphs and the diff something to draw).
   */
  public ShippedSurfaces exerciseAll() throws Exception {
    Buf methods = buf("--list-methods", base());
    assertEquals(0, methods.exit(), methods.out());
    for (String line : methods.out().split("\n")) {
      if (!line.isBlank()) {
        expected.add("rpc " + line.trim());
      }
    }
    HttpEndpoints.ROUTES.forEach(r -> expected.add("http " + r));

    JsonObject serial = call("fibperf.v1.FibPerfService/Serial", "{\"nums\":[20,21]}").last();
    assertEquals("10946", value(serial.getAsJsonObject("summary"), 1));
    JsonObject parallel = call("fibperf.v1.FibPerfService/Parallel", "{\"nums\":[22,23]}").last();
    assertEquals("28657", value(parallel.getAsJsonObject("summary"), 1));
    JsonObject profile =
        call("fibperf.v1.FibPerfService/ProfileSerial", "{\"nums\":[33,34]}").last();
    String hot =
        profile
            .getAsJsonObject("summary")
            .getAsJsonObject("profile")
            .getAsJsonArray("self")
            .get(0)
            .getAsJsonObject()
            .get("method")
            .getAsString();
    assertTrue(hot.contains("FibKernels.naive"), "the hot method: " + profile);
    JsonObject comparison =
        // Tasks long enough (about 0.2 s of serial work) that each phase's profile holds samples
        // of the kernel even on a loaded machine: with [30,31,32,31], an image's phase once had
        // none (CI, 2026-12-07).
        call("fibperf.v1.FibPerfService/Compare", "{\"nums\":[32,33,34,33],\"profile\":true}")
            .last()
            .getAsJsonObject("comparison");
    String runId = comparison.get("runId").getAsString();
    // The speedup is the serial phase's wall over the parallel phase's, as both are printed.
    double ratio =
        seconds(comparison.getAsJsonObject("serial"))
            / seconds(comparison.getAsJsonObject("parallel"));
    assertEquals(
        ratio, comparison.get("speedup").getAsDouble(), ratio * 1e-9, comparison.toString());
    assertEquals("5702887", value(comparison.getAsJsonObject("parallel"), 2));

    JsonObject kernels = call("fibperf.v1.FibPerfService/ListKernels", "{}").last();
    assertTrue(
        kernels.toString().contains("\"name\":\"fib-naive\"")
            && kernels.toString().contains("\"name\":\"fib-memo\""),
        kernels.toString());
    JsonObject memo =
        call("fibperf.v1.FibPerfService/Serial", "{\"kernel\":\"fib-memo\",\"nums\":[90,90]}")
            .last();
    assertEquals("2880067194370816120", value(memo.getAsJsonObject("summary"), 1));

    JsonObject list = call("fibperf.v1.FibPerfService/ListRuns", "{}").last();
    assertTrue(list.toString().contains("\"runId\":\"" + runId + "\""), list.toString());
    // The run history works where it ships, in its default place (the image: a read-write home).
    assertTrue(
        list.getAsJsonObject("history").has("enabled")
            && list.getAsJsonObject("history").get("enabled").getAsBoolean()
            && !list.getAsJsonObject("history").has("lastError"),
        list.getAsJsonObject("history").toString());
    JsonObject run =
        call("fibperf.v1.FibPerfService/GetRun", "{\"runId\":\"" + runId + "\"}").last();
    assertEquals("RUN_METHOD_COMPARE", run.getAsJsonObject("run").get("method").getAsString());
    // A second Serial of the first one's workload, judged against it (two tasks a side: too few
    // for an interval, and the answer says so).
    JsonObject again = call("fibperf.v1.FibPerfService/Serial", "{\"nums\":[20,21]}").last();
    String first = serial.getAsJsonObject("summary").get("runId").getAsString();
    String second = again.getAsJsonObject("summary").get("runId").getAsString();
    firstSerial = first;
    secondSerial = second;
    JsonObject change =
        call(
                "fibperf.v1.FibPerfService/CompareRuns",
                "{\"runId\":\"" + second + "\",\"baselineRunId\":\"" + first + "\"}")
            .last()
            .getAsJsonObject("change");
    assertEquals(first, change.get("baselineRunId").getAsString(), change.toString());
    assertEquals(
        "CHANGE_VERDICT_TOO_FEW_SAMPLES",
        change.getAsJsonObject("serialCost").get("verdict").getAsString(),
        change.toString());
    JsonObject watched =
        call("fibperf.v1.FibPerfService/WatchRuns", "{\"runId\":\"" + runId + "\"}").last();
    assertTrue(watched.has("finished"), "a finished run's watch ends with it: " + watched);

    JsonObject health = call("grpc.health.v1.Health/Check", "{}").last();
    assertEquals("SERVING", health.get("status").getAsString());
    // A health watch never ends by itself: its first message, then the client's timeout.
    Buf watch = buf("--timeout", "3s", "-d", "{}", base() + "/grpc.health.v1.Health/Watch");
    assertEquals("SERVING", watch.messages().get(0).get("status").getAsString(), watch.out());
    covered.add("rpc grpc.health.v1.Health/Watch");
    if (expected.contains("rpc grpc.health.v1.Health/List")) {
      JsonObject all = call("grpc.health.v1.Health/List", "{}").last();
      assertTrue(all.toString().contains("fibperf.v1.FibPerfService"), all.toString());
    }
    for (String reflection :
        List.of(
            "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")) {
      JsonObject services = call(reflection, "{\"listServices\":\"\"}").last();
      assertTrue(services.toString().contains("fibperf.v1.FibPerfService"), services.toString());
    }
    if (expected.contains("rpc fibperf.cluster.v1.PeerService/Compute")) {
      JsonObject computed = call("fibperf.cluster.v1.PeerService/Compute", "{\"n\":20}").last();
      assertEquals("6765", computed.get("value").getAsString());
      JsonObject capacity = call("fibperf.cluster.v1.PeerService/Capacity", "{}").last();
      assertTrue(capacity.get("workers").getAsInt() > 0, capacity.toString());
    }

    exerciseHttp(runId);
    return this;
  }

  private String firstSerial;
  private String secondSerial;

  private void exerciseHttp(String runId) throws Exception {
    HttpResponse<String> page = get("/");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<title>fibperf"), "the dashboard page");
    route("/");
    HttpResponse<String> runs = get("/api/runs");
    assertEquals(200, runs.statusCode(), runs.body());
    assertTrue(runs.body().contains("\"runId\":\"" + runId + "\""), runs.body());
    route("/api/runs");
    HttpResponse<String> one = get("/api/runs/" + runId);
    assertEquals(200, one.statusCode(), one.body());
    assertEquals(
        runId,
        JsonParser.parseString(one.body())
            .getAsJsonObject()
            .getAsJsonObject("run")
            .get("runId")
            .getAsString());
    route("/api/runs/{id}");
    HttpResponse<String> csv = get("/api/runs.csv");
    assertEquals(200, csv.statusCode(), csv.body());
    assertTrue(csv.body().contains("\n" + runId + ",RUN_METHOD_COMPARE,"), csv.body());
    route("/api/runs.csv");
    HttpResponse<String> tasks = get("/api/runs/" + runId + "/tasks.csv");
    assertEquals(200, tasks.statusCode(), tasks.body());
    assertEquals(9, tasks.body().lines().count(), "a header and 4 tasks a phase: " + tasks.body());
    route("/api/runs/{id}/tasks.csv");
    HttpResponse<String> change =
        get("/api/runs/" + secondSerial + "/change?baseline=" + firstSerial);
    assertEquals(200, change.statusCode(), change.body());
    assertTrue(change.body().contains("\"baselineRunId\":\"" + firstSerial + "\""), change.body());
    route("/api/runs/{id}/change");
    assertTrue(firstEvent().startsWith("data: {"), "an event on /events");
    route("/events");
    for (String path :
        List.of(
            "/runs/{id}/flamegraph.html",
            "/runs/{id}/flamegraph.html?phase=parallel",
            "/runs/{id}/diff.html")) {
      HttpResponse<String> graph = get(path.replace("{id}", runId));
      assertEquals(200, graph.statusCode(), path + ": " + graph.body());
      assertTrue(
          graph.body().contains("naive"),
          path + " draws the kernel's frames (" + graph.body().length() + " bytes)");
      route(path);
    }
    HttpResponse<String> pprof = get("/runs/" + runId + "/profile.pb.gz");
    assertEquals(200, pprof.statusCode(), pprof.body());
    route("/runs/{id}/profile.pb.gz");
    HttpResponse<String> metrics = get("/metrics");
    assertEquals(200, metrics.statusCode());
    for (String gauge :
        List.of(
            "fibperf_runs_active ",
            "fibperf_calls_open ",
            "fibperf_profile_sessions_open ",
            "process_files_open_files ")) {
      assertTrue(metrics.body().contains(gauge), "/metrics has " + gauge);
    }
    route("/metrics");
    HttpResponse<String> health = get("/healthz");
    assertEquals(200, health.statusCode());
    assertEquals("SERVING\n", health.body());
    route("/healthz");
  }

  /** The value of task {@code index} in a run summary printed in the protobuf JSON mapping. */
  public static String value(JsonObject summary, int index) {
    return summary
        .getAsJsonArray("results")
        .get(index)
        .getAsJsonObject()
        .get("value")
        .getAsString();
  }

  /** A run summary's wall time in seconds, from its JSON {@code wallDuration} ("0.0123s"). */
  private static double seconds(JsonObject summary) {
    String wall = summary.get("wallDuration").getAsString();
    return Double.parseDouble(wall.substring(0, wall.length() - 1));
  }

  /** Fails naming every surface the artifact offers that no check above exercised. */
  public void assertEverySurfaceCovered() {
    Set<String> missing = new TreeSet<>(expected);
    missing.removeAll(covered);
    assertEquals(Set.of(), missing, "surfaces with no artifact-level test");
  }

  public Set<String> covered() {
    return covered;
  }

  private Buf call(String method, String json) throws IOException {
    Buf r = buf("-d", json, base() + "/" + method);
    assertEquals(0, r.exit(), method + ": " + r.out());
    covered.add("rpc " + method);
    return r;
  }

  private void route(String route) {
    assertTrue(HttpEndpoints.ROUTES.contains(route), route + " is in HttpEndpoints.ROUTES");
    covered.add("http " + route);
  }

  private String base() {
    return "http://" + grpcTarget;
  }

  private Buf buf(String... args) throws IOException {
    List<String> command =
        new ArrayList<>(List.of("buf", "curl", "--protocol", "grpc", "--http2-prior-knowledge"));
    command.addAll(List.of(args));
    return run(command);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
            .timeout(CALL_TIMEOUT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The first {@code data:} line of {@code /events} once a run starts (a stream opened on an idle
   * server says nothing but keep-alives until then).
   */
  private String firstEvent() throws Exception {
    HttpResponse<Stream<String>> events =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/events"))
                .timeout(CALL_TIMEOUT)
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, events.statusCode());
    CompletableFuture<String> first =
        CompletableFuture.supplyAsync(
            () -> events.body().filter(l -> l.startsWith("data:")).findFirst().orElse(""));
    try {
      call("fibperf.v1.FibPerfService/Serial", "{\"nums\":[10]}");
      return first.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      events.body().close();
    }
  }

  static Buf run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (InputStream in = p.getInputStream()) {
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not end: " + out);
      }
      return new Buf(p.exitValue(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
