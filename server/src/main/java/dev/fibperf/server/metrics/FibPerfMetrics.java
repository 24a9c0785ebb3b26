package dev.fibperf.server.metrics;

import dev.fibperf.server.analysis.RoundsAnalysis;
import dev.fibperf.server.analysis.Verdict;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.PoolObserver;
import dev.fibperf.server.exec.WorkerPool;
import dev.fibperf.server.run.RunEvent;
import dev.fibperf.server.run.RunEventListener;
import dev.fibperf.server.run.RunKind;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.IntSupplier;

/**
 * fibperf's meters, mostly micrometer's own binders: gRPC per method and status (through {@link
 * #grpcInterceptor()}), the worker pool, JVM memory, GC, threads and CPU, plus a per-task timer
 * tagged by algorithm. Tags come only from bounded sets.
 */
public final class FibPerfMetrics implements PoolObserver, AutoCloseable {
  /** Time a worker spent computing one task; tag {@code algorithm}. */
  public static final String TASK_DURATION = "fibperf.task.duration";

  /** Calls doing work right now. */
  public static final String ACTIVE_RUNS = "fibperf.runs.active";

  public static final String OPEN_CALLS = "fibperf.calls.open";
  public static final String PROFILE_SESSIONS = "fibperf.profile.sessions.open";

  /** Runs that ended; tags {@code method} and {@code status} (a gRPC status code name). */
  public static final String RUNS = "fibperf.runs";

  /** How long a task waited for a worker behind other runs. */
  public static final String QUEUE_WAIT = "fibperf.task.queue.wait";

  /**
   * The speedup and attainment estimates of clean, converged Compares (tag {@code verdict}, always
   * CLEAN): noisy or contended estimates are counted in {@link #COMPARE_VERDICTS}, not recorded.
   */
  public static final String COMPARE_SPEEDUP = "fibperf.compare.speedup";

  /** Compares ended, by verdict. */
  public static final String COMPARE_VERDICTS = "fibperf.compare.verdicts";

  public static final String COMPARE_ATTAINMENT = "fibperf.compare.attainment";

  /** Worker processes replaced after they died or were killed. */
  public static final String WORKER_RESTARTS = "fibperf.worker.restarts";

  /** WatchRuns calls connected. */
  public static final String WATCHERS = "fibperf.watchers";

  /**
   * Histogram range for every latency and task time: sub-millisecond calls to minute-long runs, so
   * {@code histogram_quantile} works on both.
   */
  static final Duration HISTOGRAM_MIN = Duration.ofNanos(50_000);

  static final Duration HISTOGRAM_MAX = Duration.ofMinutes(5);

  /** The {@code name} tag of the thread pool's executor meters ({@code executor.*}). */
  public static final String POOL_NAME = WorkerPool.METRICS_NAME;

  private final Map<Verdict, Counter> compareVerdicts = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final Map<Algorithm, Timer> taskTimers = new ConcurrentHashMap<>();
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final Timer queueWait;
  private final Counter workerRestarts;
  private final Map<String, Counter> endedRuns = new ConcurrentHashMap<>();

  public FibPerfMetrics(MeterRegistry registry) {
    this.registry = registry;
    // micrometer's gRPC binder tags in camelCase; Prometheus's conventions (promtool) want
    // snake_case.
    registry
        .config()
        .meterFilter(MeterFilter.renameTag("grpc.server", "statusCode", "status_code"))
        .meterFilter(MeterFilter.renameTag("grpc.server", "methodType", "method_type"));
    // The built-ins up front, so a dashboard shows them before the first task; a loaded kernel's
    // with its first task.
    for (Algorithm algorithm : Algorithm.BUILT_IN) {
      taskTimer(algorithm);
    }
    this.queueWait =
        histogram(Timer.builder(QUEUE_WAIT))
            .description("Time a task waited for a worker behind other runs")
            .register(registry);
    // Registered up front, so a dashboard shows 0 rather than no data until the first restart.
    this.workerRestarts =
        Counter.builder(WORKER_RESTARTS)
            .description("Worker processes replaced after they died or were killed")
            .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    // Open files and sockets (process_files_open_files): what a leak on any port would raise.
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  private static Timer.Builder histogram(Timer.Builder timer) {
    return timer
        .publishPercentileHistogram()
        .minimumExpectedValue(HISTOGRAM_MIN)
        .maximumExpectedValue(HISTOGRAM_MAX);
  }

  /** Times every RPC by service, method, type and status code, as histograms. */
  public MetricCollectingServerInterceptor grpcInterceptor() {
    return new MetricCollectingServerInterceptor(
        registry, counter -> counter, FibPerfMetrics::histogram, Status.Code.OK);
  }

  /** Counts runs, their queue waits and Compares' figures, from the run events. */
  public RunEventListener runListener() {
    Map<Long, RunKind> inFlight = new ConcurrentHashMap<>();
    return event -> {
      if (event instanceof RunEvent.Accepted a) {
        inFlight.put(a.runId(), a.spec().kind());
      } else if (event instanceof RunEvent.TaskFinished f) {
        queueWait.record(f.result().queueWait());
      } else if (event instanceof RunEvent.Completed c) {
        inFlight.remove(c.runId());
        ended(c.outcome().spec().kind(), "OK");
        RoundsAnalysis rounds = c.outcome().rounds();
        if (rounds != null) {
          compareVerdicts
              .computeIfAbsent(
                  rounds.verdict(),
                  verdict ->
                      Counter.builder(COMPARE_VERDICTS)
                          .description("Compares ended, by the verdict about their estimate")
                          .tag("verdict", verdict.name())
                          .register(registry))
              .increment();
          // Only clean (converged) estimates: a noisy or contended figure would drag the
          // distribution towards whatever load the machine had.
          if (rounds.verdict() == Verdict.CLEAN) {
            DistributionSummary.builder(COMPARE_SPEEDUP)
                .description(
                    "Clean, converged Compares' speedup estimates: the clean rounds' serial walls"
                        + " over their parallel walls")
                .tag("verdict", Verdict.CLEAN.name())
                .serviceLevelObjectives(0.5, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 8)
                .register(registry)
                .record(rounds.speedup().estimate());
            DistributionSummary.builder(COMPARE_ATTAINMENT)
                .description(
                    "Clean, converged Compares' attainment estimates: optimal makespan over"
                        + " parallel wall")
                .tag("verdict", Verdict.CLEAN.name())
                .serviceLevelObjectives(0.5, 0.7, 0.8, 0.9, 0.95, 1, 1.05, 1.2)
                .register(registry)
                .record(rounds.attainment().estimate());
          }
        }
      } else if (event instanceof RunEvent.Failed f) {
        RunKind kind = inFlight.remove(f.runId());
        if (kind != null) {
          ended(kind, f.cause() instanceof CancellationException ? "CANCELLED" : "FAILED");
        }
      }
    };
  }

  /** Counts a run that ended: status OK, CANCELLED (caller left, deadline, drain) or FAILED. */
  private void ended(RunKind kind, String status) {
    // Looked up once per method and outcome, not built and registered again at every run's end.
    endedRuns
        .computeIfAbsent(
            kind.name() + "/" + status,
            key ->
                Counter.builder(RUNS)
                    .description("Runs that ended, by method and outcome (OK, CANCELLED, FAILED)")
                    .tag("method", kind.name())
                    .tag("status", status)
                    .register(registry))
        .increment();
  }

  /** Reports the number of watchers as the {@value #WATCHERS} gauge. */
  public void bindWatchers(IntSupplier watchers) {
    Gauge.builder(WATCHERS, watchers::getAsInt)
        .description("WatchRuns calls connected")
        .register(registry);
  }

  @Override
  public void workerReplaced() {
    workerRestarts.increment();
  }

  /** Reports {@code openCalls} as the {@value #OPEN_CALLS} gauge. */
  public void bindOpenCalls(IntSupplier openCalls) {
    Gauge.builder(OPEN_CALLS, openCalls::getAsInt)
        .description(
            "fibperf calls open: from their start until their run has ended and their status is"
                + " sent; back to 0 when the server is idle")
        .register(registry);
  }

  /** Reports {@code sessions} as the {@value #PROFILE_SESSIONS} gauge. */
  public void bindProfileSessions(IntSupplier sessions) {
    Gauge.builder(PROFILE_SESSIONS, sessions::getAsInt)
        .description(
            "Profiling sessions open, each holding a JFR recording; back to 0 when no profiled"
                + " run is in flight")
        .register(registry);
  }

  /** Reports {@code activeRuns} as the {@value #ACTIVE_RUNS} gauge. */
  public void bindActiveRuns(IntSupplier activeRuns) {
    Gauge.builder(ACTIVE_RUNS, activeRuns::getAsInt)
        .description("fibperf calls doing work right now")
        .register(registry);
  }

  @Override
  public void poolCreated(String name, ExecutorService executor) {
    new ExecutorServiceMetrics(executor, name, Tags.empty()).bindTo(registry);
  }

  @Override
  public void taskFinished(Algorithm algorithm, Duration duration) {
    taskTimer(algorithm).record(duration);
  }

  private Timer taskTimer(Algorithm algorithm) {
    return taskTimers.computeIfAbsent(
        algorithm,
        a ->
            histogram(Timer.builder(TASK_DURATION))
                .description("Time a worker spent computing one task")
                .tag("algorithm", a.name())
                .tag("kernel", a.kernelName())
                .register(registry));
  }

  @Override
  public void close() {
    gcMetrics.close();
  }
}
