package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.SelfSignedCert;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI against a real server on a loopback socket: output, files and exit codes. */
class FibPerfCliTest {
  private static FibServer server;
  private static String target;

  record Run(int exit, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    server =
        new FibServer(
                Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()),
                ServerConfig.newBuilder().workers(2).build())
            .start();
    target = "127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
  }

  static Run fibperf(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = FibPerfCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static String[] withTarget(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--target=" + target);
    return all.toArray(String[]::new);
  }

  @Test
  void serial_printsProgressLinesThenATable() {
    Run r = fibperf(withTarget("serial", "--nums", "20,21"));

    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("serial   started  task 0 n=20 on fibperf-worker-"), r.out());
    assertTrue(r.out().contains("serial   finished task 1 n=21"), r.out());
    assertTrue(r.out().matches("(?s).*\\s1\\s+21\\s+10946\\s.*"), r.out());
    assertTrue(r.out().contains("parallelism 1"), r.out());
  }

  @Test
  void json_printsOneProtobufJsonObjectPerEvent() {
    Run r =
        fibperf(
            withTarget("parallel", "--nums", "93,100", "--algorithm", "fast_doubling", "--json"));

    assertEquals(0, r.exit(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(5, lines.size(), r.out());
    assertTrue(lines.stream().allMatch(l -> l.startsWith("{") && l.endsWith("}")), r.out());
    assertTrue(lines.get(0).startsWith("{\"taskStarted\":"), lines.get(0));
    assertTrue(lines.get(4).startsWith("{\"summary\":"), lines.get(4));
    assertTrue(lines.get(4).contains("\"value\":\"12200160415121876738\""), lines.get(4));
  }

  @Test
  void profile_showsHotMethods_andSavesTheFlameGraph(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("flame.html");
    Path collapsed = dir.resolve("stacks.txt");

    Run r =
        fibperf(
            withTarget(
                "profile",
                "--nums",
                "35,35",
                "--top",
                "3",
                "--flamegraph",
                html.toString(),
                "--collapsed",
                collapsed.toString()));

    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("self (top of stack"), r.out());
    assertTrue(r.out().contains("dev.fibperf.server.compute.FibKernels.naive(int)"), r.out());
    assertTrue(Files.readString(html).startsWith("<!DOCTYPE html>"));
    assertTrue(Files.readString(collapsed).contains("FibKernels.naive"));
  }

  @Test
  void compare_explainsSpeedupAndBounds() {
    Run r = fibperf(withTarget("compare", "--nums", "30,31,32,30"));

    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("speedup"), r.out());
    assertTrue(r.out().contains("measured-optimal schedule"), r.out());
    assertTrue(r.out().contains("bounds    from the serial tasks' CPU times: lower"), r.out());
    // Whatever the load, the reading agrees with the estimate's verdict printed above it.
    String estimate =
        r.out().lines().filter(l -> l.startsWith("  estimate  ")).findFirst().orElseThrow();
    String reading =
        r.out().lines().filter(l -> l.startsWith("  reading   ")).findFirst().orElseThrow();
    if (estimate.endsWith(", CLEAN")) {
      assertTrue(reading.endsWith("clean and converged."), r.out());
    } else if (estimate.endsWith(", NOISY")) {
      assertTrue(reading.contains("noisy") || reading.contains("(NOISY)"), r.out());
    } else {
      assertTrue(reading.contains("not clean (") || reading.contains("Not a clean"), r.out());
    }
    // One line per round as it is reported, none per task (a Compare's tasks are many).
    assertTrue(r.out().contains("\nround 1   speedup "), r.out());
    assertFalse(r.out().contains("started  task"), r.out());
  }

  @Test
  void compareProfile_savesTheSerialToParallelDiff(@TempDir Path dir) throws Exception {
    Path diff = dir.resolve("diff.html");
    Run r =
        fibperf(
            withTarget(
                "compare", "--nums", "30,31", "--profile", "--diff-flamegraph", diff.toString()));
    Run withoutProfile =
        fibperf(withTarget("compare", "--nums", "20", "--diff-flamegraph", diff.toString()));

    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("Differential flame graph (serial to parallel): " + diff), r.out());
    String page = Files.readString(diff);
    assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("serial to parallel"));
    assertTrue(page.contains("FibKernels.naive"), "the graph draws the profiled frames");
    assertEquals(2, withoutProfile.exit());
    assertTrue(withoutProfile.err().contains("--diff-flamegraph needs --profile"));
  }

  @Test
  void runsAndWatch_showRunsThisProcessDidNotStart() {
    Run serial = fibperf(withTarget("serial", "--nums", "20", "--json"));
    String summary = serial.out().lines().reduce((a, b) -> b).orElseThrow();
    String id = summary.replaceAll(".*\"runId\":\"?(\\d+)\"?.*", "$1");

    Run runs = fibperf(withTarget("runs"));
    Run watch = fibperf(withTarget("watch", "--run-id", id));

    assertEquals(0, runs.exit(), runs.err());
    assertTrue(runs.out().contains(id + "  SERIAL         SUCCEEDED wall"), runs.out());
    assertEquals(0, watch.exit(), watch.err());
    assertEquals(
        "run " + id + " SERIAL finished  SUCCEEDED wall",
        watch.out().strip().replaceAll(" wall .*", " wall"));
  }

  @Test
  void health_printsServing() {
    Run r = fibperf(withTarget("health", "--service", "fibperf.v1.FibPerfService"));

    assertEquals(0, r.exit(), r.err());
    assertEquals("SERVING", r.out().strip());
  }

  @Test
  void callsRunOnTheCliOwnEventLoop_whichReleaseStops() throws InterruptedException {
    ConnectionOptions connection = new ConnectionOptions();
    connection.target = "127.0.0.1:" + server.port();
    List<String> during;
    try (var client = connection.connect()) {
      client.health();
      during = eventLoopThreads();
    } finally {
      connection.release();
    }
    // gRPC's shared loop would stay parked in epoll_wait, and a JVM exit waits up to 300 ms for
    // threads in native code. Termination is signalled just before the thread ends: a moment.
    assertEquals(1, during.size(), "one loop thread of the CLI's own: " + during);
    org.awaitility.Awaitility.await("the CLI's loop thread ends")
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> eventLoopThreads().isEmpty());
    assertEquals(List.of(), eventLoopThreads());
  }

  private static List<String> eventLoopThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith(ConnectionOptions.EVENT_LOOP_THREAD))
        .toList();
  }

  @Test
  void failedCall_exits1_withStatusAndMessageOnStderr() {
    Run r = fibperf(withTarget("serial", "--nums", "99"));

    assertEquals(1, r.exit());
    assertEquals(
        "fibperf: INVALID_ARGUMENT: nums[0]=99 exceeds max n 50 for algorithm ALGORITHM_NAIVE"
            + " (--max-n-naive)",
        r.err().strip());
  }

  @Test
  void unreachableServer_exits1_namingTheTargetAndWhatToTry() {
    Run r = fibperf("serial", "--target=127.0.0.1:1", "--nums", "10");
    Run unknownHost = fibperf("health", "--target=no-such-host.invalid:50051");

    assertEquals(1, r.exit());
    assertTrue(r.err().startsWith("fibperf: UNAVAILABLE: cannot reach 127.0.0.1:1: "), r.err());
    assertTrue(r.err().contains("is the server running there?"), r.err());
    assertEquals(1, unknownHost.exit());
    assertTrue(
        unknownHost.err().contains("cannot reach no-such-host.invalid:50051"), unknownHost.err());
    assertTrue(unknownHost.err().contains("check the host name"), unknownHost.err());
    assertEquals(
        2, unknownHost.err().lines().count(), "two lines, no stack trace: " + unknownHost.err());
  }

  @Test
  void help_listsOptionsOnlyWhereTheyApply_andEachCommandInOneSentence() {
    assertFalse(fibperf("serial", "--help").out().contains("--parallelism"));
    assertFalse(fibperf("profile", "--help").out().contains("--parallelism"));
    assertTrue(fibperf("parallel", "--help").out().contains("--parallelism"));
    assertTrue(fibperf("compare", "--help").out().contains("--parallelism"));
    Run root = fibperf("--help");
    // Each command's summary is a whole sentence (picocli lists the first line of a description).
    String summaries = String.join(" ", root.out().lines().map(String::strip).toList());
    assertTrue(
        summaries.contains("Walk the whole journey: profile, parallelise, compare, explain."),
        root.out());
    assertTrue(summaries.contains("Watch the server's runs, whoever started them. "), root.out());
    // A paragraph wraps where the 80 columns end, not where a source line ended: no short line
    // of a help text (picocli fills to 80) is followed by a lower-case continuation.
    for (String command : FibPerfCli.commandLine().getSubcommands().keySet()) {
      List<String> lines = fibperf(command, "--help").out().lines().toList();
      for (int i = 0; i + 1 < lines.size(); i++) {
        String line = lines.get(i);
        String next = lines.get(i + 1);
        boolean description =
            !line.startsWith(" ") && !line.startsWith("Usage:") && line.length() < 60;
        assertFalse(
            description
                && !next.startsWith(" ")
                && !next.isEmpty()
                && Character.isLowerCase(next.charAt(0)),
            command + " --help breaks a sentence: '" + line + "' / '" + next + "'");
      }
    }
  }

  @Test
  void generateCompletion_printsABashScriptForEveryCommand() {
    Run r = fibperf("generate-completion");

    assertEquals(0, r.exit());
    assertTrue(r.out().startsWith("#!/usr/bin/env bash"), r.out());
    for (String command : List.of("demo", "serial", "parallel", "profile", "compare", "watch")) {
      assertTrue(r.out().contains(command), command);
    }
    assertTrue(r.out().contains("complete -F"), "registers the completion function");
  }

  @Test
  void badUsage_exits2_withMessageAndUsage() {
    Run badEnum = fibperf("serial", "--algorithm", "quantum");
    Run negative = fibperf(withTarget("serial", "--nums", "-5"));
    Run unknown = fibperf("frobnicate");
    Run badLb = fibperf(withTarget("health", "--lb", "random"));
    Run roundRobin = fibperf(withTarget("health", "--lb", "round_robin"));

    assertEquals(2, badLb.exit());
    assertTrue(
        badLb.err().contains("--lb=random is not one of pick_first, round_robin"), badLb.err());
    assertEquals(0, roundRobin.exit(), roundRobin.err());
    assertEquals(2, badEnum.exit());
    assertTrue(badEnum.err().contains("--algorithm"), badEnum.err());
    assertTrue(badEnum.err().contains("Usage: fibperf serial"), badEnum.err());
    assertEquals(2, negative.exit());
    assertTrue(negative.err().contains("nums[0]=-5 is negative"), negative.err());
    assertEquals(2, unknown.exit());
  }

  @Test
  void demo_withAnEmbeddedServer_walksTheWholeJourney() {
    Run r = fibperf("demo", "--nums", "30,31,32,31");

    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("Started an embedded fibperf server on 127.0.0.1:"), r.out());
    assertTrue(r.out().contains("; watch it live at http://127.0.0.1:"), r.out());
    assertTrue(r.out().contains("== 1/3 Profile the serial baseline"), r.out());
    assertTrue(
        r.out().contains("of the samples are in dev.fibperf.server.compute.FibKernels.naive("),
        r.out());
    assertTrue(r.out().contains("== 2/3"), r.out());
    assertTrue(r.out().contains("== 3/3"), r.out());
    assertTrue(r.out().contains("reading   "), r.out());
    assertTrue(r.out().contains("A better algorithm beats more cores."), r.out());
  }

  @Test
  void bench_reportsThroughputPercentilesAndStatusCodes() {
    Run human =
        fibperf(withTarget("bench", "--nums", "5", "-c", "2", "-n", "50", "--warmup-calls", "5"));
    Run json =
        fibperf(withTarget("bench", "--nums", "5,99", "-n", "3", "--warmup-calls", "0", "--json"));

    assertEquals(0, human.exit(), human.err());
    assertTrue(
        human.out().startsWith("SERIAL: 50 calls, concurrency 2, 5 warm-up calls"), human.out());
    assertTrue(human.out().contains("p99.9"), human.out());
    assertTrue(human.out().contains("status     OK 50"), human.out());
    assertEquals(0, json.exit(), json.err());
    assertTrue(json.out().contains("\"statusCodes\":{\"INVALID_ARGUMENT\":3}"), json.out());
    assertTrue(json.out().contains("\"p50\":"), json.out());
  }

  /**
   * The whole latency distribution, as HdrHistogram prints it, in text, CSV and JSON: its last step
   * counts every call.
   */
  @Test
  void bench_printsTheLatencyDistribution_asTextCsvAndJson(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path csv = dir.resolve("latency.csv");
    Run human =
        fibperf(
            withTarget(
                "bench",
                "--nums",
                "5",
                "-n",
                "40",
                "--warmup-calls",
                "0",
                "--histogram",
                "--histogram-csv",
                csv.toString()));
    Run json =
        fibperf(withTarget("bench", "--nums", "5", "-n", "30", "--warmup-calls", "0", "--json"));

    assertEquals(0, human.exit(), human.err());
    assertTrue(human.out().contains("  latency distribution (ms):"), human.out());
    assertTrue(
        human.out().contains("Value     Percentile TotalCount 1/(1-Percentile)"), human.out());
    java.util.List<String> rows = java.nio.file.Files.readAllLines(csv);
    assertEquals("\"Value\",\"Percentile\",\"TotalCount\",\"1/(1-Percentile)\"", rows.get(0));
    assertEquals("40", rows.get(rows.size() - 1).split(",")[2]);
    com.google.gson.JsonArray steps =
        com.google.gson.JsonParser.parseString(json.out())
            .getAsJsonObject()
            .getAsJsonArray("distribution");
    assertEquals(30, steps.get(steps.size() - 1).getAsJsonObject().get("totalCount").getAsLong());
    assertEquals(
        100.0, steps.get(steps.size() - 1).getAsJsonObject().get("percentile").getAsDouble());
  }

  @Test
  void bench_progressLine_namesErrorsAndTimeLeft() {
    assertEquals(
        "1200 calls (of 5000), 3 errors, 400.0 calls/s, 3.0 s, about 9.5 s left",
        BenchCommand.progressLine(1200, 3, 3.0, 5000, -1));
    assertEquals(
        "800 calls, 0 errors, 400.0 calls/s, 2.0 s, about 8.0 s left",
        BenchCommand.progressLine(800, 0, 2.0, -1, 10.0));
  }

  /**
   * One caller cannot start fib(27) calls (a millisecond or more each) 10,000 times a second: the
   * report says the rate was missed, by how much, and what to do, in text and JSON.
   */
  @Test
  void bench_saysWhenItMissedTheRateAskedFor() {
    Run human =
        fibperf(
            withTarget("bench", "--nums", "27", "-n", "20", "--warmup-calls", "0", "-r", "10000"));
    Run json =
        fibperf(
            withTarget(
                "bench",
                "--nums",
                "27",
                "-n",
                "20",
                "--warmup-calls",
                "0",
                "-r",
                "10000",
                "--json"));
    Run unpaced = fibperf(withTarget("bench", "--nums", "5", "-n", "5", "--warmup-calls", "0"));

    assertEquals(0, human.exit(), human.err());
    assertTrue(
        human.out().contains("  warning    asked for 10000.0 calls/s, reached "), human.out());
    assertTrue(human.out().contains("raise --concurrency"), human.out());
    com.google.gson.JsonObject report =
        com.google.gson.JsonParser.parseString(json.out()).getAsJsonObject();
    assertEquals(10000.0, report.get("rateAsked").getAsDouble());
    assertTrue(report.get("callsPerSecond").getAsDouble() < 9500, json.out());
    assertEquals(1, report.getAsJsonArray("warnings").size(), json.out());
    assertFalse(unpaced.out().contains("warning"), "no rate asked, none missed: " + unpaced.out());
  }

  /**
   * The summary is checked against the run lines it summarises: verdicts counted from them, and the
   * speedups of exactly the CLEAN ones (none of a CONTENDED run's figures leaks in).
   */
  @Test
  void compareRepeat_summarisesTheCleanRuns_andCountsTheRestByVerdict() {
    Run r = fibperf(withTarget("compare", "--nums", "25,26", "--repeat", "4"));

    assertEquals(0, r.exit(), r.err());
    Pattern line = Pattern.compile("run +\\d+: .*, speedup ([0-9.]+)x .*, (\\w+)");
    List<Double> clean = new ArrayList<>();
    Map<String, Integer> verdicts = new java.util.TreeMap<>();
    r.out()
        .lines()
        .map(line::matcher)
        .filter(Matcher::matches)
        .forEach(
            m -> {
              verdicts.merge(m.group(2), 1, Integer::sum);
              if (m.group(2).equals("CLEAN")) {
                clean.add(Double.parseDouble(m.group(1)));
              }
            });
    assertEquals(4, verdicts.values().stream().mapToInt(Integer::intValue).sum(), r.out());
    for (Map.Entry<String, Integer> v : verdicts.entrySet()) {
      assertTrue(r.out().contains(v.getValue() + " " + v.getKey()), r.out());
    }
    if (clean.isEmpty()) {
      assertTrue(r.out().contains("no CLEAN run"), r.out());
      assertFalse(r.out().contains("speedup    median"), r.out());
    } else {
      java.util.Collections.sort(clean);
      assertTrue(
          r.out()
              .contains(
                  String.format(
                      Locale.ROOT,
                      "min %.2fx, max %.2fx over the %d CLEAN runs",
                      clean.get(0),
                      clean.get(clean.size() - 1),
                      clean.size())),
          r.out());
    }
  }

  @Test
  void compareRepeatJson_endsWithTheAggregate_andRunsJsonIsTheRunList() {
    Run r = fibperf(withTarget("compare", "--nums", "20,21", "--repeat", "2", "--json"));
    Run runs = fibperf(withTarget("runs", "--json"));

    assertEquals(0, r.exit(), r.err());
    List<String> lines = r.out().lines().toList();
    com.google.gson.JsonObject summary =
        com.google.gson.JsonParser.parseString(lines.get(lines.size() - 1))
            .getAsJsonObject()
            .getAsJsonObject("repeatSummary");
    assertEquals(2, summary.get("runs").getAsInt());
    assertEquals(
        2,
        lines.stream().filter(l -> l.startsWith("{\"comparison\":")).count(),
        "each run's final message: " + r.out());
    int counted =
        summary.getAsJsonObject("verdicts").entrySet().stream()
            .mapToInt(e -> e.getValue().getAsInt())
            .sum();
    assertEquals(2, counted, summary.toString());
    assertEquals(0, runs.exit(), runs.err());
    assertTrue(
        com.google.gson.JsonParser.parseString(runs.out())
                .getAsJsonObject()
                .getAsJsonArray("recent")
                .size()
            >= 2,
        runs.out());
  }

  @Test
  void demo_saysItsDashboardStopsWithIt() {
    Run r = fibperf("demo", "--nums", "20,21,22,21");

    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains(" while the demo runs\n"), r.out());
    // Tasks this short may end before any sample: the demo says so instead of failing.
    assertTrue(
        r.out().contains("of the samples are in ")
            || r.out().contains("no samples: these tasks were over before the profiler"),
        r.out());
    assertTrue(
        r.out()
            .contains(
                "The embedded server and its dashboard stop now; `fibperf demo --keep-serving`"
                    + " keeps them up."),
        r.out());
  }

  @Test
  void tls_withTheServersCa_works_andWithoutItFails(@TempDir Path dir) throws Exception {
    SelfSignedCert tlsCert = SelfSignedCert.create(dir);
    Path cert = tlsCert.cert();
    Path key = tlsCert.key();
    FibServer tlsServer =
        new FibServer(
                Grpc.newServerBuilderForPort(
                    0, io.grpc.TlsServerCredentials.create(cert.toFile(), key.toFile())),
                ServerConfig.newBuilder().workers(1).build())
            .start();
    try {
      String tlsTarget = "--target=localhost:" + tlsServer.port();

      Run trusted = fibperf("serial", tlsTarget, "--ca-cert", cert.toString(), "--nums", "20");
      Run untrusted = fibperf("serial", tlsTarget, "--tls", "--nums", "20");

      assertEquals(0, trusted.exit(), trusted.err());
      assertTrue(trusted.out().contains("6765"), trusted.out());
      assertEquals(1, untrusted.exit());
      assertTrue(untrusted.err().startsWith("fibperf: UNAVAILABLE"), untrusted.err());
    } finally {
      tlsServer.stop();
    }
  }

  @Test
  void aTokenFile_orAClientCertificate_earnsACallThatNeedsOne(@TempDir Path dir) throws Exception {
    SelfSignedCert serverCert = SelfSignedCert.create(Files.createDirectory(dir.resolve("s")));
    SelfSignedCert client = SelfSignedCert.create(Files.createDirectory(dir.resolve("c")), "cli");
    String token = "cli-test-token-0123456789";
    Path tokens = Files.writeString(dir.resolve("tokens"), "cli " + token + "\n");
    Path tokenFile = Files.writeString(dir.resolve("token"), token + "\n");
    FibServer secured =
        FibServer.newBuilder(
                Grpc.newServerBuilderForPort(
                    0,
                    io.grpc.TlsServerCredentials.newBuilder()
                        .keyManager(serverCert.cert().toFile(), serverCert.key().toFile())
                        .trustManager(client.cert().toFile())
                        .clientAuth(io.grpc.TlsServerCredentials.ClientAuth.OPTIONAL)
                        .build()),
                ServerConfig.newBuilder().workers(1).profilingEnabled(false).build())
            .auth(
                new dev.fibperf.server.auth.AuthPolicy(
                    java.util.Map.of(
                        dev.fibperf.server.auth.Role.COMPUTE,
                        dev.fibperf.server.auth.Requirement.TOKEN_OR_CERT),
                    dev.fibperf.server.auth.Tokens.read(tokens)))
            .build()
            .start();
    try {
      String target = "--target=localhost:" + secured.port();
      String ca = "--ca-cert=" + serverCert.cert();

      Run none = fibperf("serial", target, ca, "--nums", "20");
      Run byToken =
          fibperf("serial", target, ca, "--token-file", tokenFile.toString(), "--nums", "20");
      Run byCert =
          fibperf(
              "serial",
              target,
              ca,
              "--client-cert",
              client.cert().toString(),
              "--client-key",
              client.key().toString(),
              "--nums",
              "20");

      assertEquals(1, none.exit());
      assertEquals(
          "fibperf: UNAUTHENTICATED: Serial (compute) needs a bearer token or a client certificate"
              + " (--auth-compute=token-or-cert)",
          none.err().strip());
      assertEquals(0, byToken.exit(), byToken.err());
      assertTrue(byToken.out().contains("6765"), byToken.out());
      assertEquals(0, byCert.exit(), byCert.err());
      assertTrue(byCert.out().contains("6765"), byCert.out());
    } finally {
      secured.stop();
    }
  }
}
