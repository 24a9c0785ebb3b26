package dev.fibperf.bench;

import dev.fibperf.bench.CallPathComparison.Figures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What keeping every run in the history costs the runs: two fibperf servers in their own JVMs, one
 * with the history off ({@code --database=none}), one with its default (H2 in a data directory),
 * driven alternately by the same {@code fibperf bench} (Serial of fib(10), the shortest call, so
 * the most runs a second to record), round by round in alternating order. Prints each round and the
 * medians of the ratios (history on / off) of p50 latency and throughput.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.HistoryCallPath [rounds] [calls] [c]
 * </pre>
 */
public final class HistoryCallPath {
  private HistoryCallPath() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    Path dataDir = Files.createTempDirectory("fibperf-history-callpath");
    int offPort = CallPathComparison.freePort();
    int onPort = CallPathComparison.freePort();
    Process off = server(offPort, "--database=none");
    Process on = server(onPort, "--data-dir=" + dataDir);
    try {
      Thread.sleep(5_000); // both listening; the bench retries nothing
      CallPathComparison.Sides sides =
          CallPathComparison.alternate(
              CallPathComparison::bench, offPort, "off", onPort, "on", rounds, calls, concurrency);
      List<Figures> offRuns = sides.a();
      List<Figures> onRuns = sides.b();
      List<Double> p50 = CallPathComparison.ratios(onRuns, offRuns, true);
      List<Double> throughput = CallPathComparison.ratios(onRuns, offRuns, false);
      System.out.printf(
          Locale.ROOT,
          "median of %d rounds, c=%d, %d calls each: history on/off p50 %.2fx (range %s),"
              + " throughput %.2fx (range %s)%n",
          rounds,
          concurrency,
          calls,
          ProfileOverhead.median(p50),
          CallPathComparison.range(p50),
          ProfileOverhead.median(throughput),
          CallPathComparison.range(throughput));
    } finally {
      off.destroy();
      on.destroy();
      on.waitFor();
      try (var files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static Process server(int port, String history) throws Exception {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "dev.fibperf.server.Main",
            "--port",
            String.valueOf(port),
            "--metrics-port",
            "-1",
            history)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }
}
