package dev.fibperf.server;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.server.auth.AuthInterceptor;
import dev.fibperf.server.auth.AuthPolicy;
import dev.fibperf.server.compute.KernelCatalog;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.exec.RunClock;
import dev.fibperf.server.exec.TaskKernel;
import dev.fibperf.server.exec.TaskPool;
import dev.fibperf.server.exec.WorkerPool;
import dev.fibperf.server.exec.cluster.ClusterPool;
import dev.fibperf.server.exec.cluster.PeerTargets;
import dev.fibperf.server.exec.process.ProcessPool;
import dev.fibperf.server.history.RunHistory;
import dev.fibperf.server.history.RunStore;
import dev.fibperf.server.metrics.FibPerfMetrics;
import dev.fibperf.server.peer.ClusterCredentials;
import dev.fibperf.server.peer.PeerEndpoint;
import dev.fibperf.server.profile.JfrProfiler;
import dev.fibperf.server.run.RunEvent;
import dev.fibperf.server.run.RunRegistry;
import dev.fibperf.server.run.RunRegistry.RunRecord;
import dev.fibperf.server.run.Runner;
import dev.fibperf.server.service.AccessLogInterceptor;
import dev.fibperf.server.service.FibPerfService;
import dev.fibperf.server.service.RunLookup;
import dev.fibperf.server.service.RunsMapper;
import dev.fibperf.server.service.StrictRequests;
import dev.fibperf.server.tracing.RunTracing;
import dev.fibperf.server.tracing.Tracing;
import dev.fibperf.server.transport.LazyGzip;
import dev.fibperf.server.transport.TransportThreads;
import dev.fibperf.server.worker.WorkerMain;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcServerInterceptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The fibperf server's lifecycle: the gRPC server with the fibperf service, health and reflection
 * (v1 and v1alpha), and the resources they share.
 *
 * <p>Owns the {@link WorkerPool}, the {@link ProcessPool}, the profiling executor and, given a
 * Netty builder, the transport's event loops ({@link TransportThreads}, set on the builder), and
 * closes them in {@link #stop()}. The {@link ServerBuilder} is the caller's: hand in an in-process
 * builder to test without a socket.
 */
public final class FibServer {
  private static final System.Logger LOG = System.getLogger(FibServer.class.getName());

  private final ServerConfig config;
  private final Server server;
  private final WorkerPool pool;
  private final ProcessPool processes;
  private final TaskPool cluster;
  private final PeerEndpoint peerEndpoint;
  private volatile boolean draining;
  private final ScheduledExecutorService profilingExecutor;
  private final JfrProfiler profiler = new JfrProfiler();
  private final HealthStatusManager health = new HealthStatusManager();
  private final FibPerfService service;
  private final FibPerfMetrics metrics;
  private final TransportThreads transport; // null unless the builder is Netty's
  private final Object stopLock = new Object();

  @GuardedBy("stopLock")
  private boolean stopped;

  private final RunRegistry runs;
  private final RunHistory<RunRecord> history;
  private final String replica;
  private final RunLookup lookup;
  // Polls the shared history for other replicas' runs while anyone watches; null without one.
  private final ScheduledExecutorService otherReplicas;
  private final KernelCatalog kernels;

  // Tells this server's own peer calls from others': a server is often one of its own peers.
  private final String instance = java.util.UUID.randomUUID().toString();

  private FibServer(Builder b) {
    this.config = b.config;
    this.metrics = new FibPerfMetrics(b.registry);
    this.pool = new WorkerPool(config.workers(), metrics, b.threadKernel);
    List<String> workerOptions = new ArrayList<>();
    if (config.profilingEnabled()) {
      workerOptions.add("-D" + WorkerMain.WARM_JFR_PROPERTY + "=true");
    }
    this.kernels = KernelCatalog.load(config.kernels());
    if (!kernels.jars().isEmpty()) {
      // Worker processes load the same jars, so a task computes the same code wherever it runs.
      workerOptions.add(
          "-D"
              + WorkerMain.KERNELS_PROPERTY
              + "="
              + kernels.jars().stream()
                  .map(Object::toString)
                  .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
    }
    workerOptions.addAll(config.workerJvmOptions());
    this.processes =
        new ProcessPool(config.workers(), metrics, workerOptions, config.workerKillGrace());
    this.profilingExecutor =
        Executors.newScheduledThreadPool(
            2,
            new ThreadFactoryBuilder().setNameFormat("fibperf-profile-%d").setDaemon(true).build());
    if (!config.peers().isEmpty() && b.cluster == null) {
      throw new IllegalStateException(
          "--peers=" + config.peers() + " needs the cluster's credentials (--cluster-secret-file)");
    }
    this.cluster =
        config.peers().isEmpty()
            ? ClusterPool.unconfigured()
            : new ClusterPool(PeerTargets.parse(config.peers()), b.cluster, instance, metrics);
    this.replica = replicaName(config, instance);
    this.history = openHistory(config, b.registry, replica);
    Runner runner =
        new Runner(
            pool,
            processes,
            cluster,
            profiler,
            profilingExecutor,
            config.maxConcurrentRuns(),
            b.clock,
            history::nextRunId);
    this.peerEndpoint =
        new PeerEndpoint(
            runner,
            instance,
            config.workers(),
            config::maxN,
            () -> draining,
            config.maxNaiveCalls(),
            kernels);
    this.runs = new RunRegistry(config.recentRuns(), b.clock);
    this.lookup = new RunLookup(runs, history);
    runner.usePastCompares(lookup::headlineSpeedups);
    runner.addListener(runs);
    runner.addListener(
        event -> {
          // A task another replica handed here is part of that replica's run, kept there.
          if (event instanceof RunEvent.Completed || event instanceof RunEvent.Failed) {
            runs.get(event.runId())
                .filter(r -> r.spec().coordinatorRun() == null)
                .ifPresent(history::offer);
          }
        });
    runner.addListener(metrics.runListener());
    if (!b.observations.isNoop()) {
      runner.addListener(new RunTracing(b.observations));
    }
    this.transport =
        b.serverBuilder instanceof NettyServerBuilder netty
            ? TransportThreads.install(netty)
            : null;
    this.service =
        new FibPerfService(
            config,
            kernels,
            runner,
            lookup,
            new AuthInterceptor(b.auth),
            transport == null ? MoreExecutors.directExecutor() : transport.afterCurrentRead(),
            transport == null ? () -> null : transport::currentLoop);
    if (history.enabled()) {
      this.otherReplicas =
          Executors.newSingleThreadScheduledExecutor(
              new ThreadFactoryBuilder()
                  .setNameFormat("fibperf-other-replicas")
                  .setDaemon(true)
                  .build());
      otherReplicas.scheduleWithFixedDelay(
          service.otherReplicas(replica, Clock.systemUTC()), 1, 1, TimeUnit.SECONDS);
    } else {
      this.otherReplicas = null;
    }
    metrics.bindActiveRuns(service::activeRuns);
    metrics.bindWatchers(service::watchers);
    metrics.bindOpenCalls(service::openCalls);
    metrics.bindProfileSessions(profiler::openSessions);
    b.serverBuilder
        // No handler blocks (runs wait on futures; work goes to the pools; reads of the run
        // history go to RunLookup's readers), so they run on the transport's threads: one
        // thread hop per call fewer than gRPC's default executor.
        .directExecutor()
        .decompressorRegistry(LazyGzip.registry())
        .intercept(metrics.grpcInterceptor());
    if (!b.observations.isNoop()) {
      // Added last, so it runs first: every call's span is current while the call is handled,
      // and continues the trace the caller sent in the call's metadata.
      b.serverBuilder.intercept(new ObservationGrpcServerInterceptor(b.observations));
    }
    b.serverBuilder.addService(service.withAccessLog());
    if (!config.peers().isEmpty()) {
      // Only a replica of a cluster serves its peers, and only to callers with the cluster's
      // credentials. Logged like any call (one line each, refusals too), so peer work leaves a
      // trace; interceptors added last run first.
      b.serverBuilder.addService(
          StrictRequests.of(
              ServerInterceptors.intercept(
                  peerEndpoint,
                  peerEndpoint.coordinatorRun(),
                  b.cluster.verifier(),
                  new AccessLogInterceptor())));
    }
    // Every service on the port parses its requests strictly: a bad body is INVALID_ARGUMENT,
    // not UNKNOWN with a stack trace in the log.
    b.serverBuilder
        .addService(StrictRequests.of(health.getHealthService().bindService()))
        .addService(StrictRequests.of(ProtoReflectionServiceV1.newInstance().bindService()))
        // v1alpha, which older grpcurl, Postman and grpcui still ask for.
        .addService(StrictRequests.of(ProtoReflectionService.newInstance().bindService()));
    this.server = b.serverBuilder.build();
  }

  /**
   * The run history {@code --database} names; one that cannot be opened leaves runs in memory, so a
   * broken database never stops the server from computing (its status says why).
   */
  private static RunHistory<RunRecord> openHistory(
      ServerConfig config, MeterRegistry meters, String replica) {
    if (config.database().isEmpty()) {
      return RunHistory.off(meters);
    }
    try {
      RunStore store = RunStore.open(config.database());
      LOG.log(Level.INFO, "run history in " + store.description());
      return RunHistory.of(
          store, r -> RunsMapper.stored(r, replica), config.retention(), meters, Clock.systemUTC());
    } catch (SQLException | RuntimeException e) {
      LOG.log(Level.WARNING, "run history unavailable, runs are kept in memory only: " + e);
      return RunHistory.unavailable(meters, RunStore.redacted(config.database()), e.toString());
    }
  }

  /**
   * This replica as its runs are stored: host, port and this start's instance, unique even for
   * replicas of one host on port 0 (tests), or after a restart.
   */
  private static String replicaName(ServerConfig config, String instance) {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "unknown";
    }
    return host + ":" + config.port() + "/" + instance.substring(0, 8);
  }

  /**
   * @param builder where to listen; its port is the builder's, not {@code config.port()}
   * @param registry where meters go; the caller owns it (and any exposition of it)
   */
  public FibServer(ServerBuilder<?> builder, ServerConfig config, MeterRegistry registry) {
    this(newBuilder(builder, config).registry(registry));
  }

  /** A server whose meters stay in memory (read them through {@link #metrics()}). */
  public FibServer(ServerBuilder<?> builder, ServerConfig config) {
    this(newBuilder(builder, config));
  }

  /**
   * Assembles a server from its parts; tests replace the parts that compute or measure.
   *
   * @param builder where to listen; its port is the builder's, not {@code config.port()}
   */
  public static Builder newBuilder(ServerBuilder<?> builder, ServerConfig config) {
    return new Builder(builder, config);
  }

  /** The parts a {@link FibServer} is built from; each has a production default. */
  public static final class Builder {
    private final ServerBuilder<?> serverBuilder;
    private final ServerConfig config;
    private MeterRegistry registry = new SimpleMeterRegistry();
    private TaskKernel threadKernel = TaskKernel.IN_PROCESS;
    private RunClock clock = RunClock.SYSTEM;
    private ObservationRegistry observations = ObservationRegistry.NOOP;
    private AuthPolicy auth = AuthPolicy.OPEN;
    private ClusterCredentials cluster;

    private Builder(ServerBuilder<?> serverBuilder, ServerConfig config) {
      this.serverBuilder = Objects.requireNonNull(serverBuilder, "builder");
      this.config = Objects.requireNonNull(config, "config");
    }

    /** Where meters go (default: in memory); the caller owns it and any exposition of it. */
    public Builder registry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * How the thread pool computes a task (default: the real kernels, in this JVM). A test hands in
     * a constant-time or latch-controlled fake when it is about the plumbing, not Fibonacci.
     */
    public Builder threadKernel(TaskKernel kernel) {
      this.threadKernel = Objects.requireNonNull(kernel, "kernel");
      return this;
    }

    /**
     * Where runs read time (default: the JVM's clocks); a test's manual clock makes every duration
     * in a summary exact.
     */
    public Builder clock(RunClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where calls, phases and tasks are observed (default: nowhere); with tracing handlers, each
     * call is a span continuing its caller's trace, with its run's phases and tasks inside ({@link
     * Tracing}).
     */
    public Builder observations(ObservationRegistry observations) {
      this.observations = Objects.requireNonNull(observations, "observations");
      return this;
    }

    /**
     * Who may make which calls (default: anyone): tokens and client certificates per kind of call
     * ({@link AuthInterceptor}). Client certificates need a server that asks for them, which the
     * transport's credentials decide.
     */
    public Builder auth(AuthPolicy auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /**
     * How this replica and its peers know each other (needed with {@code --peers}): the cluster
     * secret, and TLS or loopback-only plaintext for peer calls ({@link ClusterCredentials}).
     */
    public Builder cluster(ClusterCredentials cluster) {
      this.cluster = Objects.requireNonNull(cluster, "cluster");
      return this;
    }

    public FibServer build() {
      return new FibServer(this);
    }
  }

  /** Starts serving and reports SERVING for the server and the fibperf service. */
  public FibServer start() throws IOException {
    server.start();
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(FibPerfServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    if (config.profilingEnabled()) {
      // JFR's first start costs about 0.3 s: pay it now, off the request path.
      profilingExecutor.execute(
          () -> {
            long t0 = System.nanoTime();
            profiler.warmUp();
            LOG.log(
                Level.INFO,
                "JFR ready in {0} ms (paid once per process)",
                (System.nanoTime() - t0) / 1_000_000);
          });
    }
    LOG.log(
        Level.INFO,
        "fibperf listening on port {0,number,#} with {1} workers",
        server.getPort(),
        config.workers());
    return this;
  }

  /** The bound port (useful with port 0), or -1 for a server without a socket. */
  /** Whether the server takes calls: started and not draining (what its health service says). */
  public boolean isServing() {
    return server != null && !server.isShutdown() && !draining;
  }

  public int port() {
    return server.getPort();
  }

  public WorkerPool pool() {
    return pool;
  }

  public ProcessPool processes() {
    return processes;
  }

  /** The runs in flight and recent, as the run-list RPCs and the dashboard see them. */
  public RunRegistry runs() {
    return runs;
  }

  /** Finished runs, and where to look them up: the registry, then the history. */
  public RunLookup lookup() {
    return lookup;
  }

  public FibPerfService service() {
    return service;
  }

  public FibPerfMetrics metrics() {
    return metrics;
  }

  /**
   * Drains and stops: health goes NOT_SERVING, new calls get UNAVAILABLE, in-flight runs get the
   * grace period to finish, then the rest are cancelled. Closes the pool and the profiling
   * executor. Idempotent; blocks until done.
   */
  public void stop() throws InterruptedException {
    synchronized (stopLock) {
      if (stopped) {
        return;
      }
      stopped = true;
      // Refuse new calls before anyone can see NOT_SERVING. The port stays open through the
      // grace period, so a new client (buf curl, a retrying SDK) reaches the server and is told
      // UNAVAILABLE by the service, with reflection and health still answering, instead of
      // failing to connect or to find the service in the schema.
      service.startDraining();
      draining = true;
      health.enterTerminalState();
      LOG.log(
          Level.INFO,
          "draining: {0} runs in flight, grace {1}",
          service.activeRuns(),
          config.shutdownGrace());
      long graceEnds = System.nanoTime() + config.shutdownGrace().toNanos();
      if (!service.awaitCallsDone(config.shutdownGrace())) {
        LOG.log(Level.INFO, "grace period over: cancelling {0} runs", service.activeRuns());
        // UNAVAILABLE with trailers, not the reset shutdownNow() would send (which clients read
        // as CANCELLED, and retry policies skip); a moment for the trailers to go out.
        service.abortOpenCalls(config.shutdownGrace());
        service.awaitCallsDone(Duration.ofSeconds(2));
      }
      // Other replicas' tasks in flight here finish too, within what is left of the grace; any
      // cut short run again elsewhere.
      peerEndpoint.awaitIdle(Duration.ofNanos(Math.max(0, graceEnds - System.nanoTime())));
      server.shutdown();
      // Ends what is left: runs past their grace, and streams that never end by themselves
      // (health watches).
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
      if (transport != null) {
        transport.close();
      }
      pool.close();
      processes.close();
      cluster.close();
      profilingExecutor.shutdownNow();
      MoreExecutors.shutdownAndAwaitTermination(profilingExecutor, Duration.ofSeconds(5));
      service.close();
      lookup.close();
      if (otherReplicas != null) {
        otherReplicas.shutdownNow();
      }
      history.close();
      metrics.close();
      LOG.log(Level.INFO, "fibperf stopped");
    }
  }
}
