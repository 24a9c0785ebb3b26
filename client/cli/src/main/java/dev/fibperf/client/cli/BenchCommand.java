package dev.fibperf.client.cli;

import com.google.gson.GsonBuilder;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfException;
import dev.fibperf.client.ProfileOptions;
import dev.fibperf.client.Workload;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A load generator in the manner of ghz: a fixed number of concurrent callers, a call count or a
 * duration, uncounted warm-up calls, an optional open-model rate, latency percentiles from an
 * HdrHistogram and the distribution of status codes.
 */
@Command(
    name = "bench",
    description = "Load-test one RPC: throughput, latency percentiles and status codes.",
    mixinStandardHelpOptions = true)
final class BenchCommand extends ClientCommand {
  enum Rpc {
    SERIAL,
    PARALLEL,
    PROFILE,
    COMPARE
  }

  /** Latencies above this are clamped; no fibperf call should take ten minutes. */
  private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

  @Mixin WorkloadOptions workload;
  @Mixin ParallelismOption parallelism;

  @Option(
      names = "--rpc",
      defaultValue = "SERIAL",
      description = "SERIAL, PARALLEL, PROFILE or COMPARE (default ${DEFAULT-VALUE}).")
  Rpc rpc;

  @Option(
      names = {"-c", "--concurrency"},
      defaultValue = "1",
      description = "Callers at once (default 1).")
  int concurrency;

  @Option(
      names = {"-n", "--calls"},
      defaultValue = "200",
      description = "Counted calls (default 200); ignored with --duration.")
  long calls;

  @Option(
      names = {"-z", "--duration"},
      converter = DurationConverter.class,
      description = "Run for this long instead of a call count, e.g. 10s.")
  Duration duration;

  @Option(
      names = "--warmup-calls",
      defaultValue = "10",
      description = "Uncounted calls first (default 10).")
  int warmupCalls;

  @Option(
      names = {"-r", "--rate"},
      defaultValue = "0",
      description =
          "Start calls at this many per second in total (open model; latency counts"
              + " from the scheduled start); 0 = as fast as the callers go.")
  double rate;

  @Option(
      names = "--label",
      paramLabel = "<name>",
      description =
          "Label the measured calls' runs in the server's history (default: bench-<date>-<time>),"
              + " so a later bench can be judged against them with --baseline-label.")
  String label;

  @Option(
      names = "--baseline-label",
      paramLabel = "<name>",
      description =
          "Then judge this bench's runs against an earlier bench's (its --label): the change in"
              + " wall per call, with its interval and verdict.")
  String baselineLabel;

  @Option(
      names = "--histogram",
      description =
          "Print the whole latency distribution too, in HdrHistogram's percentile-distribution"
              + " form (ms).")
  boolean histogram;

  @Option(
      names = "--histogram-csv",
      paramLabel = "<file>",
      description = "Write the latency distribution as CSV (HdrHistogram's columns, ms) to a file.")
  java.nio.file.Path histogramCsv;

  /** What a run measured. */
  record Report(
      String rpc,
      int concurrency,
      long calls,
      double seconds,
      double callsPerSecond,
      Map<String, Double> latencyMillis,
      Map<String, Long> statusCodes,
      double rateAsked,
      List<String> warnings,
      List<Step> distribution,
      String label) {}

  /** One line of the percentile distribution: the latency at a percentile, and calls up to it. */
  record Step(double percentile, double valueMillis, long totalCount) {}

  private Histogram lastHistogram;

  /** Below this share of --rate, the run says it did not measure the load asked for. */
  static final double RATE_MET = 0.95;

  @Override
  int run(FibPerfClient client) {
    if (concurrency < 1 || concurrency > 1024) {
      throw new FibPerfCli.UsageException("--concurrency=" + concurrency + " outside [1, 1024]");
    }
    if (calls < 1) {
      throw new FibPerfCli.UsageException("--calls=" + calls + " must be at least 1");
    }
    if (rate < 0) {
      throw new FibPerfCli.UsageException("--rate=" + rate + " must not be negative");
    }
    Workload w = parallelism.applyTo(workload.workload());
    for (int i = 0; i < warmupCalls; i++) {
      call(client, w); // unlabelled: warm-up calls are not the measurement
    }
    for (String[] named :
        new String[][] {{"--label", label}, {"--baseline-label", baselineLabel}}) {
      if (named[1] != null && !named[1].matches("[A-Za-z0-9._:-]{1,64}")) {
        throw new FibPerfCli.UsageException(
            named[0] + "=" + named[1] + " must be 1 to 64 of A-Z a-z 0-9 . _ : -");
      }
    }
    if (label == null) {
      label =
          "bench-"
              + java.time.LocalDateTime.now()
                  .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }
    Report report = measure(client, w.withLabel(label));
    print(report);
    if (baselineLabel != null) {
      if (output.json) {
        out().println(Printer.toJson(client.compareLabelsMessage(label, baselineLabel)));
      } else {
        printer().change(client.compareLabels(label, baselineLabel));
      }
    }
    if (histogramCsv != null) {
      try {
        java.nio.file.Files.writeString(histogramCsv, distribution(lastHistogram, true));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot write " + histogramCsv, e);
      }
    }
    return 0;
  }

  private Report measure(FibPerfClient client, Workload w) {
    Recorder latencies = new Recorder(MAX_LATENCY_MICROS, 3);
    Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
    AtomicLong next = new AtomicLong();
    long start = System.nanoTime();
    long end = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
    long limit = duration == null ? calls : Long.MAX_VALUE;
    List<Thread> callers = new ArrayList<>();
    for (int c = 0; c < concurrency; c++) {
      Thread caller =
          new Thread(
              () -> {
                for (long i = next.getAndIncrement(); i < limit; i = next.getAndIncrement()) {
                  long scheduled = rate > 0 ? start + (long) (i * 1e9 / rate) : System.nanoTime();
                  if (scheduled >= end) {
                    break;
                  }
                  LockSupport.parkNanos(scheduled - System.nanoTime());
                  if (System.nanoTime() >= end) {
                    break;
                  }
                  String status = call(client, w);
                  long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - scheduled);
                  latencies.recordValue(Math.min(micros, MAX_LATENCY_MICROS));
                  statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
                }
              },
              "bench-caller-" + c);
      caller.start();
      callers.add(caller);
    }
    Progress progress = new Progress(start, statuses);
    for (Thread caller : callers) {
      try {
        while (caller.isAlive()) {
          caller.join(500);
          progress.show();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    progress.clear();
    double seconds = (System.nanoTime() - start) / 1e9;
    Histogram h = latencies.getIntervalHistogram();
    Map<String, Double> percentiles = new LinkedHashMap<>();
    percentiles.put("p50", h.getValueAtPercentile(50) / 1000.0);
    percentiles.put("p90", h.getValueAtPercentile(90) / 1000.0);
    percentiles.put("p95", h.getValueAtPercentile(95) / 1000.0);
    percentiles.put("p99", h.getValueAtPercentile(99) / 1000.0);
    percentiles.put("p99.9", h.getValueAtPercentile(99.9) / 1000.0);
    percentiles.put("max", h.getMaxValue() / 1000.0);
    Map<String, Long> codes = new TreeMap<>();
    statuses.forEach((code, count) -> codes.put(code, count.sum()));
    double reached = h.getTotalCount() / seconds;
    List<String> warnings = new ArrayList<>();
    if (rate > 0 && reached < RATE_MET * rate) {
      warnings.add(
          String.format(
              Locale.ROOT,
              "asked for %.1f calls/s, reached %.1f: %d caller%s could not keep up, so calls"
                  + " started late and their latency (counted from the scheduled start) includes"
                  + " the wait; raise --concurrency to measure the server at this rate",
              rate,
              reached,
              concurrency,
              concurrency == 1 ? "" : "s"));
    }
    List<Step> distribution = new ArrayList<>();
    for (HistogramIterationValue v : h.percentiles(5)) {
      distribution.add(
          new Step(
              v.getPercentileLevelIteratedTo(),
              v.getValueIteratedTo() / 1000.0,
              v.getTotalCountToThisValue()));
    }
    lastHistogram = h;
    return new Report(
        rpc.name(),
        concurrency,
        h.getTotalCount(),
        seconds,
        reached,
        percentiles,
        codes,
        rate,
        warnings,
        distribution,
        label);
  }

  /**
   * A line on stderr, redrawn in place twice a second while a terminal watches: calls done, their
   * rate so far, the time taken. Stdout keeps only the report.
   */
  private final class Progress {
    private final long start;
    private final Map<String, LongAdder> statuses;
    private final boolean shown = Terminal.isInteractive();

    Progress(long start, Map<String, LongAdder> statuses) {
      this.start = start;
      this.statuses = statuses;
    }

    void show() {
      if (!shown) {
        return;
      }
      err().print("\r\033[K" + line(System.nanoTime()));
      err().flush();
    }

    String line(long now) {
      long done = statuses.values().stream().mapToLong(LongAdder::sum).sum();
      LongAdder ok = statuses.get("OK");
      return progressLine(
          done,
          done - (ok == null ? 0 : ok.sum()),
          (now - start) / 1e9,
          duration == null ? calls : -1,
          duration == null ? -1 : duration.toNanos() / 1e9);
    }

    private PrintWriter err() {
      return spec.commandLine().getErr();
    }

    void clear() {
      if (shown) {
        spec.commandLine().getErr().print("\r\033[K");
        spec.commandLine().getErr().flush();
      }
    }
  }

  /**
   * "1200 calls (of 5000), 3 errors, 398.7 calls/s, 3.0 s, about 9.5 s left": calls done, those
   * that failed, their rate so far, the time taken, and what is left at that rate (or of the
   * duration asked).
   *
   * @param calls the calls asked for, or -1 for a run of a duration
   * @param durationSeconds the duration asked for, or -1 for a run of a number of calls
   */
  static String progressLine(
      long done, long errors, double seconds, long calls, double durationSeconds) {
    double perSecond = done / Math.max(seconds, 1e-9);
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%d calls", done));
    double left;
    if (calls >= 0) {
      line.append(" (of ").append(calls).append(')');
      left = perSecond > 0 ? (calls - done) / perSecond : Double.NaN;
    } else {
      left = Math.max(0, durationSeconds - seconds);
    }
    line.append(
        String.format(
            Locale.ROOT, ", %d errors, %.1f calls/s, %.1f s", errors, perSecond, seconds));
    if (!Double.isNaN(left)) {
      line.append(String.format(Locale.ROOT, ", about %.1f s left", left));
    }
    return line.toString();
  }

  /** Makes one call and returns its status code name. */
  private String call(FibPerfClient client, Workload w) {
    try {
      switch (rpc) {
        case SERIAL:
          client.serial(w);
          break;
        case PARALLEL:
          client.parallel(w);
          break;
        case PROFILE:
          client.profileSerial(w, ProfileOptions.DEFAULT);
          break;
        default:
          client.compare(w);
          break;
      }
      return "OK";
    } catch (FibPerfException e) {
      return e.code().name();
    }
  }

  private void print(Report r) {
    PrintWriter out = out();
    if (output.json) {
      out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(r));
      return;
    }
    out.printf(
        "%s: %d calls, concurrency %d, %d warm-up calls not counted%n",
        r.rpc(), r.calls(), r.concurrency(), warmupCalls);
    out.printf("  duration   %.2f s, %.1f calls/s%n", r.seconds(), r.callsPerSecond());
    StringBuilder line = new StringBuilder("  latency   ");
    r.latencyMillis().forEach((p, ms) -> line.append(String.format(" %s %.2f ms", p, ms)));
    out.println(line);
    StringBuilder codes = new StringBuilder("  status    ");
    r.statusCodes()
        .forEach((code, count) -> codes.append(' ').append(code).append(' ').append(count));
    out.println(codes);
    out.println(
        "  label      " + r.label() + " (judge a later bench against it: --baseline-label)");
    r.warnings().forEach(w -> out.println("  warning    " + w));
    if (histogram && lastHistogram != null) {
      out.println("  latency distribution (ms):");
      out.print(distribution(lastHistogram, false));
      out.flush();
    }
  }

  /** HdrHistogram's percentile distribution of {@code h} (microseconds) in milliseconds. */
  static String distribution(Histogram h, boolean csv) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.PrintStream p =
        new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8)) {
      h.outputPercentileDistribution(p, 5, 1000.0, csv);
    }
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
