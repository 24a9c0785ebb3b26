package dev.fibperf.server.metrics;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.PoolObserver;
import dev.fibperf.server.exec.WorkerPool;
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
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
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

  /** The {@code name} tag of the thread pool's executor meters ({@code executor.*}). */
  public static final String POOL_NAME = WorkerPool.METRICS_NAME;

  private final MeterRegistry registry;
  private final Map<Algorithm, Timer> taskTimers = new EnumMap<>(Algorithm.class);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  public FibPerfMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Algorithm algorithm : Algorithm.values()) {
      taskTimers.put(
          algorithm,
          Timer.builder(TASK_DURATION)
              .description("Time a worker spent computing one Fibonacci task")
              .tag("algorithm", algorithm.name())
              .register(registry));
    }
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Times every RPC by service, method, type and status code. */
  public MetricCollectingServerInterceptor grpcInterceptor() {
    return new MetricCollectingServerInterceptor(registry);
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
    taskTimers.get(algorithm).record(duration);
  }

  @Override
  public void close() {
    gcMetrics.close();
  }
}
