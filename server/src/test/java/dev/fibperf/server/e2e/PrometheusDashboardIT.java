package dev.fibperf.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.WatchRunsRequest;
import dev.fibperf.server.testing.ServerProcess;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Grafana dashboard against a real Prometheus (Debian's {@code prometheus}) scraping a
 * real fibperf under load: every panel's query must return data, and {@code promtool check metrics}
 * must pass on the exposition except the two warnings the README explains. CI sets {@code
 * FIBPERF_REQUIRE_PROMETHEUS}.
 */
class PrometheusDashboardIT {
  private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "fibperf.json");
  private final HttpClient http = HttpClient.newHttpClient();

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void everyDashboardPanel_returnsData_fromARealPrometheusScrapingFibperfUnderLoad(
      @TempDir Path dir) throws Exception {
    boolean present = onPath("prometheus") && onPath("promtool");
    if (System.getenv("FIBPERF_REQUIRE_PROMETHEUS") != null) {
      assertTrue(present, "prometheus and promtool required (FIBPERF_REQUIRE_PROMETHEUS)");
    }
    Assumptions.assumeTrue(present, "no prometheus on PATH");

    int metricsPort = freePort();
    try (ServerProcess server =
        new ServerProcess("--metrics-port=" + metricsPort, "--no-profiling")) {
      ManagedChannel channel =
          Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
      Iterator<?> watch =
          FibPerfServiceGrpc.newBlockingStub(channel)
              .watchRuns(WatchRunsRequest.getDefaultInstance());
      load(channel); // before the first scrape, so every series exists from the start

      int promPort = freePort();
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(
          config,
          "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: fibperf\n"
              + "    static_configs:\n      - targets: ['127.0.0.1:"
              + metricsPort
              + "']\n");
      Process prometheus =
          new ProcessBuilder(
                  "prometheus",
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + promPort)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
      try {
        String base = "http://127.0.0.1:" + promPort;
        // Load while Prometheus scrapes: rate() needs two samples of a growing counter, so go on
        // until it has scraped fibperf four times (it takes a few seconds to start).
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (scrapes(base) < 4) {
          assertTrue(
              System.nanoTime() < until, "Prometheus did not scrape fibperf 4 times in 60 s");
          load(channel);
        }
        load(channel);
        List<String> empty = new ArrayList<>();
        for (String expr : panelQueries()) {
          JsonObject answer = query(base, expr);
          assertEquals("success", answer.get("status").getAsString(), expr + ": " + answer);
          if (answer.getAsJsonObject("data").getAsJsonArray("result").isEmpty()) {
            empty.add(expr);
          }
        }
        assertEquals(List.of(), empty, "panels without data");
      } finally {
        prometheus.destroy();
        prometheus.waitFor(10, TimeUnit.SECONDS);
      }

      Process promtool =
          new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
      promtool
          .getOutputStream()
          .write(
              http.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                          .build(),
                      HttpResponse.BodyHandlers.ofByteArray())
                  .body());
      promtool.getOutputStream().close();
      String report = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      promtool.waitFor(10, TimeUnit.SECONDS);
      List<String> unexplained = new ArrayList<>();
      for (String line : report.strip().lines().toList()) {
        // micrometer's standard names, kept for the dashboards that know them (README, Metrics).
        if (!line.startsWith("system_cpu_count ")
            && !line.startsWith("process_cpu_time_ns_total ")) {
          unexplained.add(line);
        }
      }
      assertEquals(List.of(), unexplained, report);
      assertTrue(watch != null);
      channel.shutdownNow();
    }
  }

  /** How many times Prometheus has scraped fibperf in the last minute (0 before it is up). */
  private int scrapes(String base) {
    try {
      JsonObject answer = query(base, "count_over_time(up{job=\"fibperf\"}[1m])");
      var result = answer.getAsJsonObject("data").getAsJsonArray("result");
      return result.isEmpty()
          ? 0
          : (int)
              Double.parseDouble(
                  result.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsString());
    } catch (Exception notUpYet) {
      return 0;
    }
  }

  private static void load(ManagedChannel channel) {
    FibPerfServiceGrpc.FibPerfServiceBlockingStub stub =
        FibPerfServiceGrpc.newBlockingStub(channel);
    stub.serial(SerialRequest.newBuilder().addNums(20).addNums(21).build())
        .forEachRemaining(r -> {});
    stub.compare(CompareRequest.newBuilder().setRounds(1).addNums(22).addNums(23).build())
        .forEachRemaining(r -> {});
  }

  private static List<String> panelQueries() throws IOException {
    JsonObject dashboard = JsonParser.parseString(Files.readString(DASHBOARD)).getAsJsonObject();
    List<String> queries = new ArrayList<>();
    for (JsonElement panel : dashboard.getAsJsonArray("panels")) {
      for (JsonElement target : panel.getAsJsonObject().getAsJsonArray("targets")) {
        queries.add(target.getAsJsonObject().get("expr").getAsString());
      }
    }
    assertTrue(queries.size() >= 10, "panels: " + queries);
    return queries;
  }

  private JsonObject query(String base, String expr) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        base
                            + "/api/v1/query?query="
                            + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }
}
