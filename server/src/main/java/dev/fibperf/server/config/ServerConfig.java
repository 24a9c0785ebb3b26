package dev.fibperf.server.config;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.cluster.PeerTargets;
import dev.fibperf.server.history.Retention;
import dev.fibperf.server.profile.Engine;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the server can be told at start-up. Immutable; {@link #newBuilder()} starts from the
 * documented defaults and {@link Builder#build()} rejects values out of range with a message naming
 * the setting, its value and its limit.
 *
 * @param port TCP port to listen on; 0 picks a free one
 * @param workers threads in the compute pool (and worker processes in the process pool)
 * @param maxTasks most entries in a request's {@code nums}
 * @param maxNaiveN largest n for naive recursion; fib(50) alone takes about 45 s here
 * @param maxIterativeN largest n for the iterative algorithm
 * @param maxFastDoublingN largest n for fast doubling
 * @param maxNaiveCalls most naive-recursion calls (2*F(n+1)-1 summed over the tasks) one request
 *     may ask for; the default, 5e10, is about a minute of serial work on this machine
 * @param maxConcurrentRuns most runs (calls doing work) at once; more get RESOURCE_EXHAUSTED
 * @param shutdownGrace how long in-flight runs may finish after SIGTERM before being cancelled
 * @param profilingEnabled whether ProfileSerial and profiled Compare are allowed
 * @param rawJfrEnabled whether a profile may return raw JFR bytes, which hold other calls' data
 * @param workerJvmOptions extra JVM options for worker processes
 * @param recentRuns finished runs that ListRuns, GetRun and WatchRuns remember
 * @param maxWatchers most WatchRuns calls at once; more get RESOURCE_EXHAUSTED
 * @param workerKillGrace how long a cancelled task on a worker process may take to stop before the
 *     worker is killed and replaced
 * @param stalledStreamTimeout how long a call's stream may stay full (its reader taking nothing)
 *     before its run is cancelled and its slot freed; zero for never
 * @param profilingEngine the sampler a profile uses unless its request names one
 * @param peers where the cluster pool finds its peers ({@link PeerTargets}), or empty for a server
 *     without one (POOL_KIND_CLUSTER is then refused)
 * @param kernels jars (or directories of jars) to load kernels from at start, on threads and in
 *     worker processes; empty for the built-in Fibonacci kernels only
 * @param database where finished runs are kept: a JDBC URL ({@code jdbc:h2:…} or {@code
 *     jdbc:postgresql:…}), or empty for memory only (the last {@code recentRuns})
 * @param retention how much of the history to keep
 */
public record ServerConfig(
    int port,
    int workers,
    int maxTasks,
    int maxNaiveN,
    int maxIterativeN,
    int maxFastDoublingN,
    long maxNaiveCalls,
    int maxConcurrentRuns,
    Duration shutdownGrace,
    boolean profilingEnabled,
    boolean rawJfrEnabled,
    List<String> workerJvmOptions,
    int recentRuns,
    int maxWatchers,
    Duration workerKillGrace,
    Duration stalledStreamTimeout,
    Engine profilingEngine,
    String peers,
    List<java.nio.file.Path> kernels,
    String database,
    Retention retention) {

  /** A minute: far beyond a reader that is slow, well short of holding a slot for ever. */
  public static final Duration DEFAULT_STALLED_STREAM_TIMEOUT = Duration.ofMinutes(1);

  /**
   * async-profiler: at the finest period it costs a fraction of what JFR does (BENCHMARKS, "What a
   * profile costs"); where it cannot load, sessions fall back to JFR and say so.
   */
  public static final Engine DEFAULT_PROFILING_ENGINE = Engine.ASYNC_PROFILER;

  public static final int DEFAULT_PORT = 50051;
  public static final int DEFAULT_RECENT_RUNS = 100;
  public static final int DEFAULT_MAX_WATCHERS = 16;

  /**
   * A second: a cooperative worker stops within milliseconds (BENCHMARKS), but one whose JVM waits
   * for a core on a loaded machine can take far longer than 100 ms, and killing it costs a JVM
   * start.
   */
  public static final Duration DEFAULT_WORKER_KILL_GRACE = Duration.ofSeconds(1);

  public static final int DEFAULT_MAX_TASKS = 1000;
  public static final int DEFAULT_MAX_NAIVE_N = 50;
  public static final int DEFAULT_MAX_ITERATIVE_N = 10_000;
  public static final int DEFAULT_MAX_FAST_DOUBLING_N = 10_000;
  public static final long DEFAULT_MAX_NAIVE_CALLS = 50_000_000_000L;
  public static final int DEFAULT_MAX_CONCURRENT_RUNS = 16;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

  /** Naive recursion returns a {@code long}: fib(92) is the largest that fits. */
  public static final int NAIVE_N_CEILING = 92;

  public ServerConfig {
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    workerJvmOptions = List.copyOf(workerJvmOptions);
    kernels = List.copyOf(kernels);
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(retention, "retention");
    peers = peers.strip();
    if (!peers.isEmpty()) {
      PeerTargets.parse(peers); // names the entry that is not host:port
    }
    checkRange("port", port, 0, 65_535);
    checkRange("workers", workers, 1, 1024);
    checkRange("maxTasks", maxTasks, 1, 100_000);
    checkRange("maxNaiveN", maxNaiveN, 0, NAIVE_N_CEILING);
    checkRange("maxIterativeN", maxIterativeN, 0, 10_000_000);
    checkRange("maxFastDoublingN", maxFastDoublingN, 0, 100_000_000);
    if (maxNaiveCalls < 1) {
      throw new IllegalArgumentException("maxNaiveCalls=" + maxNaiveCalls + " must be at least 1");
    }
    checkRange("maxConcurrentRuns", maxConcurrentRuns, 1, 100_000);
    checkRange("recentRuns", recentRuns, 0, 100_000);
    checkRange("maxWatchers", maxWatchers, 0, 10_000);
    if (workerKillGrace.isNegative() || workerKillGrace.isZero()) {
      throw new IllegalArgumentException(
          "workerKillGrace=" + workerKillGrace + " must be positive");
    }
    if (stalledStreamTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "stalledStreamTimeout=" + stalledStreamTimeout + " must not be negative");
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException(
          "shutdownGrace=" + shutdownGrace + " must not be negative");
    }
  }

  /**
   * The largest n this server accepts for {@code algorithm}: the {@code --max-n-*} flag for a
   * built-in kernel, the kernel's own {@code maxSize} (at most 2^31 - 1) for a loaded one.
   */
  public int maxN(Algorithm algorithm) {
    if (algorithm == Algorithm.NAIVE) {
      return maxNaiveN;
    } else if (algorithm == Algorithm.ITERATIVE) {
      return maxIterativeN;
    } else if (algorithm == Algorithm.FAST_DOUBLING) {
      return maxFastDoublingN;
    }
    return (int) Math.min(Integer.MAX_VALUE, algorithm.kernel().maxSize());
  }

  private static void checkRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + "=" + value + " outside [" + min + ", " + max + "]");
    }
  }

  /** A builder holding the defaults: port 50051, one worker per available processor. */
  public static Builder newBuilder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .port(port)
        .workers(workers)
        .maxTasks(maxTasks)
        .maxNaiveN(maxNaiveN)
        .maxIterativeN(maxIterativeN)
        .maxFastDoublingN(maxFastDoublingN)
        .maxNaiveCalls(maxNaiveCalls)
        .maxConcurrentRuns(maxConcurrentRuns)
        .shutdownGrace(shutdownGrace)
        .profilingEnabled(profilingEnabled)
        .rawJfrEnabled(rawJfrEnabled)
        .workerJvmOptions(workerJvmOptions)
        .recentRuns(recentRuns)
        .maxWatchers(maxWatchers)
        .workerKillGrace(workerKillGrace)
        .stalledStreamTimeout(stalledStreamTimeout)
        .profilingEngine(profilingEngine)
        .peers(peers)
        .kernels(kernels)
        .database(database)
        .retention(retention);
  }

  /** Mutable builder for {@link ServerConfig}. */
  public static final class Builder {
    private int port = DEFAULT_PORT;
    private int workers = Runtime.getRuntime().availableProcessors();
    private int maxTasks = DEFAULT_MAX_TASKS;
    private int maxNaiveN = DEFAULT_MAX_NAIVE_N;
    private int maxIterativeN = DEFAULT_MAX_ITERATIVE_N;
    private int maxFastDoublingN = DEFAULT_MAX_FAST_DOUBLING_N;
    private long maxNaiveCalls = DEFAULT_MAX_NAIVE_CALLS;
    private int maxConcurrentRuns = DEFAULT_MAX_CONCURRENT_RUNS;
    private int recentRuns = DEFAULT_RECENT_RUNS;
    private int maxWatchers = DEFAULT_MAX_WATCHERS;
    private Duration workerKillGrace = DEFAULT_WORKER_KILL_GRACE;
    private Duration stalledStreamTimeout = DEFAULT_STALLED_STREAM_TIMEOUT;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private boolean profilingEnabled = true;
    private boolean rawJfrEnabled = false;
    private List<String> workerJvmOptions = List.of();
    private Engine profilingEngine = DEFAULT_PROFILING_ENGINE;
    private String peers = "";
    private List<java.nio.file.Path> kernels = List.of();
    private String database = "";
    private Retention retention = Retention.DEFAULT;

    private Builder() {}

    /** Where finished runs are kept (a JDBC URL), or empty for memory only (the default here). */
    public Builder database(String database) {
      this.database = database;
      return this;
    }

    public Builder retention(Retention retention) {
      this.retention = retention;
      return this;
    }

    public Builder kernels(List<java.nio.file.Path> kernels) {
      this.kernels = kernels;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    public Builder maxTasks(int maxTasks) {
      this.maxTasks = maxTasks;
      return this;
    }

    public Builder maxNaiveN(int maxNaiveN) {
      this.maxNaiveN = maxNaiveN;
      return this;
    }

    public Builder maxIterativeN(int maxIterativeN) {
      this.maxIterativeN = maxIterativeN;
      return this;
    }

    public Builder maxFastDoublingN(int maxFastDoublingN) {
      this.maxFastDoublingN = maxFastDoublingN;
      return this;
    }

    public Builder maxNaiveCalls(long maxNaiveCalls) {
      this.maxNaiveCalls = maxNaiveCalls;
      return this;
    }

    public Builder maxConcurrentRuns(int maxConcurrentRuns) {
      this.maxConcurrentRuns = maxConcurrentRuns;
      return this;
    }

    public Builder recentRuns(int recentRuns) {
      this.recentRuns = recentRuns;
      return this;
    }

    public Builder maxWatchers(int maxWatchers) {
      this.maxWatchers = maxWatchers;
      return this;
    }

    public Builder workerKillGrace(Duration workerKillGrace) {
      this.workerKillGrace = workerKillGrace;
      return this;
    }

    public Builder stalledStreamTimeout(Duration stalledStreamTimeout) {
      this.stalledStreamTimeout = stalledStreamTimeout;
      return this;
    }

    public Builder shutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
      return this;
    }

    public Builder profilingEnabled(boolean profilingEnabled) {
      this.profilingEnabled = profilingEnabled;
      return this;
    }

    public Builder rawJfrEnabled(boolean rawJfrEnabled) {
      this.rawJfrEnabled = rawJfrEnabled;
      return this;
    }

    public Builder profilingEngine(Engine engine) {
      this.profilingEngine = java.util.Objects.requireNonNull(engine, "engine");
      return this;
    }

    /** {@code dns:///name:port} or {@code host:port,...}; empty for no cluster pool. */
    public Builder peers(String peers) {
      this.peers = java.util.Objects.requireNonNull(peers, "peers");
      return this;
    }

    public Builder workerJvmOptions(List<String> workerJvmOptions) {
      this.workerJvmOptions = workerJvmOptions;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the first setting out of range
     */
    public ServerConfig build() {
      return new ServerConfig(
          port,
          workers,
          maxTasks,
          maxNaiveN,
          maxIterativeN,
          maxFastDoublingN,
          maxNaiveCalls,
          maxConcurrentRuns,
          shutdownGrace,
          profilingEnabled,
          rawJfrEnabled,
          workerJvmOptions,
          recentRuns,
          maxWatchers,
          workerKillGrace,
          stalledStreamTimeout,
          profilingEngine,
          peers,
          kernels,
          database,
          retention);
    }
  }
}
