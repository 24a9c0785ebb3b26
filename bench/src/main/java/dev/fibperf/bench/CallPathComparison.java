package dev.fibperf.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fibperf.client.cli.FibPerfCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * fibperf's per-call path against {@link BareSerialServer}, side by side: both servers in their own
 * JVMs on loopback, driven by the same {@code fibperf bench} (Serial of fib(10)) in this JVM, the
 * two targets interleaved round by round (order alternating), so load on the shared machine hits
 * both alike. Prints each round and the medians of p50 latency and throughput, and their ratios.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.CallPathComparison [rounds] [calls] [c] [default|direct] [fresh|in-jvm] [history-off]
 * </pre>
 *
 * <p>{@code direct} runs the bare server's handler on the event loop too (see {@link
 * BareSerialServer}). {@code fresh} measures the way a user meets the servers: each measurement is
 * a {@code fibperf bench} in a JVM of its own (1,000 warm-up calls, then {@code calls}), and
 * fibperf's server logs to a file, as a deployed one does.
 */
public final class CallPathComparison {
  private static final int WARMUP_PASSES = 5;

  private CallPathComparison() {}

  record Figures(double p50Millis, double callsPerSecond) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    String bareExecutor = args.length > 3 ? args[3] : "default";
    boolean fresh = args.length > 4 && args[4].equals("fresh");
    // "history-off": fibperf without its run history, to tell the history's share of the cost.
    boolean historyOff = args.length > 5 && args[5].equals("history-off");
    Path serverLog = Files.createTempFile("fibperf-callpath", ".log");
    int barePort = freePort();
    int fibperfPort = freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    Process bare =
        new ProcessBuilder(
                java,
                "-cp",
                cp,
                BareSerialServer.class.getName(),
                String.valueOf(barePort),
                bareExecutor)
            .inheritIO()
            .start();
    Process fibperf =
        new ProcessBuilder(
                java,
                "-cp",
                cp,
                "dev.fibperf.server.Main",
                "--port",
                String.valueOf(fibperfPort),
                "--metrics-port",
                "-1",
                // Its history where a deployed server keeps one, but not the user's ~/.fibperf.
                historyOff ? "--database" : "--data-dir",
                historyOff ? "none" : Files.createTempDirectory("fibperf-callpath").toString())
            .redirectErrorStream(true)
            .redirectOutput(
                fresh
                    ? ProcessBuilder.Redirect.appendTo(serverLog.toFile())
                    : ProcessBuilder.Redirect.DISCARD)
            .start();
    Bench bench =
        fresh ? (port, n, c) -> freshJvm(java, cp, port, n, c) : CallPathComparison::bench;
    try {
      Sides sides =
          alternate(bench, barePort, "bare", fibperfPort, "fibperf", rounds, calls, concurrency);
      List<Figures> bareRuns = sides.a();
      List<Figures> fibperfRuns = sides.b();
      double p50Ratio = ProfileOverhead.median(ratios(fibperfRuns, bareRuns, true));
      double throughputRatio = ProfileOverhead.median(ratios(fibperfRuns, bareRuns, false));
      System.out.printf(
          Locale.ROOT,
          "median of %d rounds, c=%d, %d calls each%s, bare server's executor %s: fibperf/bare p50"
              + " %.2fx (range %s), throughput %.2fx (range %s)%n",
          rounds,
          concurrency,
          calls,
          fresh ? " (a fresh bench JVM each, fibperf logging to a file)" : "",
          bareExecutor,
          p50Ratio,
          range(ratios(fibperfRuns, bareRuns, true)),
          throughputRatio,
          range(ratios(fibperfRuns, bareRuns, false)));
    } finally {
      bare.destroy();
      fibperf.destroy();
      Files.deleteIfExists(serverLog);
    }
  }

  /** Each side's figures, a round each, in round order. */
  record Sides(List<Figures> a, List<Figures> b) {}

  /**
   * Warm-up passes until both servers' JIT has settled (fibperf has more code to compile: with one
   * pass its first rounds ran 1.5x slower than its later ones; not counted), then {@code rounds} of
   * one bench against each port, the order alternating; prints a line a round, {@code b} over
   * {@code a}.
   */
  static Sides alternate(
      Bench bench,
      int portA,
      String nameA,
      int portB,
      String nameB,
      int rounds,
      int calls,
      int concurrency)
      throws Exception {
    for (int i = 0; i < WARMUP_PASSES; i++) {
      bench.run(portA, calls, concurrency);
      bench.run(portB, calls, concurrency);
    }
    List<Figures> aRuns = new ArrayList<>();
    List<Figures> bRuns = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      boolean aFirst = r % 2 == 0;
      Figures first = bench.run(aFirst ? portA : portB, calls, concurrency);
      Figures second = bench.run(aFirst ? portB : portA, calls, concurrency);
      Figures a = aFirst ? first : second;
      Figures b = aFirst ? second : first;
      aRuns.add(a);
      bRuns.add(b);
      System.out.printf(
          Locale.ROOT,
          "round %2d  %s p50 %.3f ms %7.0f calls/s   %s p50 %.3f ms %7.0f calls/s"
              + "   p50 %.2fx  throughput %.2fx%n",
          r + 1,
          nameA,
          a.p50Millis(),
          a.callsPerSecond(),
          nameB,
          b.p50Millis(),
          b.callsPerSecond(),
          b.p50Millis() / a.p50Millis(),
          b.callsPerSecond() / a.callsPerSecond());
    }
    return new Sides(aRuns, bRuns);
  }

  /** One measurement against the server on {@code port}. */
  @FunctionalInterface
  interface Bench {
    Figures run(int port, int calls, int concurrency) throws Exception;
  }

  /** A measurement by {@code fibperf bench} in a JVM of its own, as a user runs it. */
  private static Figures freshJvm(String java, String cp, int port, int calls, int concurrency)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                cp,
                FibPerfCli.class.getName(),
                "bench",
                "--target",
                "127.0.0.1:" + port,
                "--rpc",
                "serial",
                "--nums",
                "10",
                "-c",
                String.valueOf(concurrency),
                "-n",
                String.valueOf(calls),
                "--warmup-calls",
                "1000",
                "--json")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("fibperf bench exited " + p.exitValue() + ": " + out);
    }
    return figures(out);
  }

  static Figures bench(int port, int calls, int concurrency) {
    StringWriter out = new StringWriter();
    CommandLine cli = FibPerfCli.commandLine();
    cli.setOut(new PrintWriter(out));
    int exit =
        cli.execute(
            "bench",
            "--target",
            "127.0.0.1:" + port,
            "--rpc",
            "serial",
            "--nums",
            "10",
            "-c",
            String.valueOf(concurrency),
            "-n",
            String.valueOf(calls),
            "--warmup-calls",
            "200",
            "--json");
    if (exit != 0) {
      throw new IllegalStateException("fibperf bench exited " + exit + ": " + out);
    }
    return figures(out.toString());
  }

  private static Figures figures(String json) {
    JsonObject report = JsonParser.parseString(json.trim()).getAsJsonObject();
    return new Figures(
        report.getAsJsonObject("latencyMillis").get("p50").getAsDouble(),
        report.get("callsPerSecond").getAsDouble());
  }

  static List<Double> ratios(List<Figures> a, List<Figures> b, boolean p50) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      out.add(
          p50
              ? a.get(i).p50Millis() / b.get(i).p50Millis()
              : a.get(i).callsPerSecond() / b.get(i).callsPerSecond());
    }
    return out;
  }

  static String range(List<Double> values) {
    return String.format(
        Locale.ROOT, "%.2f–%.2f", Collections.min(values), Collections.max(values));
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
