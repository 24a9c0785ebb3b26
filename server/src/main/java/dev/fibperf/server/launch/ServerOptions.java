package dev.fibperf.server.launch;

import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.history.Retention;
import dev.fibperf.server.profile.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The server's own options, written straight onto a {@link ServerConfig}: each option is a setter
 * of the config's builder, so a setting is declared once (its flag, variable and default here, its
 * meaning and checks in {@code ServerConfig}).
 */
public final class ServerOptions {
  private final ServerConfig.Builder config = ServerConfig.newBuilder();

  @Option(
      names = "--port",
      defaultValue = "${env:FIBPERF_PORT:-50051}",
      description = "TCP port; 0 picks a free one (FIBPERF_PORT, default ${DEFAULT-VALUE}).")
  void port(int port) {
    config.port(port);
  }

  @Option(
      names = "--workers",
      defaultValue = "${env:FIBPERF_WORKERS:-0}",
      description = "Compute pool threads; 0 = available processors (FIBPERF_WORKERS).")
  void workers(int workers) {
    config.workers(workers == 0 ? Runtime.getRuntime().availableProcessors() : workers);
  }

  @Option(
      names = "--max-tasks",
      defaultValue = "${env:FIBPERF_MAX_TASKS:-" + ServerConfig.DEFAULT_MAX_TASKS + "}",
      description = "Most entries in nums (FIBPERF_MAX_TASKS, default ${DEFAULT-VALUE}).")
  void maxTasks(int maxTasks) {
    config.maxTasks(maxTasks);
  }

  @Option(
      names = "--max-n-naive",
      defaultValue = "${env:FIBPERF_MAX_N_NAIVE:-" + ServerConfig.DEFAULT_MAX_NAIVE_N + "}",
      description =
          "Largest n for naive recursion (FIBPERF_MAX_N_NAIVE, default ${DEFAULT-VALUE}).")
  void maxNaiveN(int maxNaiveN) {
    config.maxNaiveN(maxNaiveN);
  }

  @Option(
      names = "--max-n-iterative",
      defaultValue = "${env:FIBPERF_MAX_N_ITERATIVE:-" + ServerConfig.DEFAULT_MAX_ITERATIVE_N + "}",
      description =
          "Largest n for the iterative algorithm (FIBPERF_MAX_N_ITERATIVE, default"
              + " ${DEFAULT-VALUE}).")
  void maxIterativeN(int maxIterativeN) {
    config.maxIterativeN(maxIterativeN);
  }

  @Option(
      names = "--max-n-fast-doubling",
      defaultValue =
          "${env:FIBPERF_MAX_N_FAST_DOUBLING:-" + ServerConfig.DEFAULT_MAX_FAST_DOUBLING_N + "}",
      description =
          "Largest n for fast doubling (FIBPERF_MAX_N_FAST_DOUBLING, default"
              + " ${DEFAULT-VALUE}).")
  void maxFastDoublingN(int maxFastDoublingN) {
    config.maxFastDoublingN(maxFastDoublingN);
  }

  @Option(
      names = "--max-naive-calls",
      defaultValue = "${env:FIBPERF_MAX_NAIVE_CALLS:-" + ServerConfig.DEFAULT_MAX_NAIVE_CALLS + "}",
      description =
          "Most naive-recursion calls per request, 2*F(n+1)-1 summed, doubled for"
              + " Compare; the default is about a minute of work (FIBPERF_MAX_NAIVE_CALLS,"
              + " default ${DEFAULT-VALUE}).")
  void maxNaiveCalls(long maxNaiveCalls) {
    config.maxNaiveCalls(maxNaiveCalls);
  }

  @Option(
      names = "--max-concurrent-runs",
      defaultValue =
          "${env:FIBPERF_MAX_CONCURRENT_RUNS:-" + ServerConfig.DEFAULT_MAX_CONCURRENT_RUNS + "}",
      description =
          "Most calls doing work at once; more get RESOURCE_EXHAUSTED"
              + " (FIBPERF_MAX_CONCURRENT_RUNS, default ${DEFAULT-VALUE}).")
  void maxConcurrentRuns(int maxConcurrentRuns) {
    config.maxConcurrentRuns(maxConcurrentRuns);
  }

  @Option(
      names = "--recent-runs",
      defaultValue = "${env:FIBPERF_RECENT_RUNS:-" + ServerConfig.DEFAULT_RECENT_RUNS + "}",
      description =
          "Finished runs that ListRuns, GetRun and WatchRuns remember (FIBPERF_RECENT_RUNS,"
              + " default ${DEFAULT-VALUE}).")
  void recentRuns(int recentRuns) {
    config.recentRuns(recentRuns);
  }

  @Option(
      names = "--max-watchers",
      defaultValue = "${env:FIBPERF_MAX_WATCHERS:-" + ServerConfig.DEFAULT_MAX_WATCHERS + "}",
      description =
          "Most WatchRuns calls at once; more get RESOURCE_EXHAUSTED (FIBPERF_MAX_WATCHERS,"
              + " default ${DEFAULT-VALUE}).")
  void maxWatchers(int maxWatchers) {
    config.maxWatchers(maxWatchers);
  }

  @Option(
      names = "--shutdown-grace",
      defaultValue = "${env:FIBPERF_SHUTDOWN_GRACE:-10s}",
      converter = Converters.DurationOption.class,
      description =
          "How long in-flight runs may finish after SIGTERM (FIBPERF_SHUTDOWN_GRACE,"
              + " default ${DEFAULT-VALUE}).")
  void shutdownGrace(Duration shutdownGrace) {
    config.shutdownGrace(shutdownGrace);
  }

  @Option(
      names = "--worker-kill-grace",
      defaultValue = "${env:FIBPERF_WORKER_KILL_GRACE:-1s}",
      converter = Converters.DurationOption.class,
      description =
          "How long a cancelled task on a worker process may take to stop before the worker is"
              + " killed and replaced (FIBPERF_WORKER_KILL_GRACE, default ${DEFAULT-VALUE}).")
  void workerKillGrace(Duration workerKillGrace) {
    config.workerKillGrace(workerKillGrace);
  }

  @Option(
      names = "--stalled-stream-timeout",
      paramLabel = "<duration>",
      defaultValue = "${env:FIBPERF_STALLED_STREAM_TIMEOUT:-1m}",
      converter = Converters.DurationOption.class,
      description =
          "Cancel a run whose reader has taken nothing for this long, freeing its slot; 0 = never"
              + " (default ${DEFAULT-VALUE}).")
  void stalledStreamTimeout(Duration stalledStreamTimeout) {
    config.stalledStreamTimeout(stalledStreamTimeout);
  }

  @Option(
      names = "--profiling",
      negatable = true,
      defaultValue = "${env:FIBPERF_PROFILING:-true}",
      fallbackValue = "true",
      description =
          "Allow ProfileSerial and profiled Compare (FIBPERF_PROFILING, default"
              + " ${DEFAULT-VALUE}).")
  void profiling(boolean profiling) {
    config.profilingEnabled(profiling);
  }

  @Option(
      names = "--profiling-engine",
      defaultValue = "${env:FIBPERF_PROFILING_ENGINE:-async-profiler}",
      converter = Converters.EngineConverter.class,
      description =
          "What takes a profile's samples unless its request says: async-profiler (where its"
              + " native library loads; else JFR, and the profile says why) or jfr"
              + " (FIBPERF_PROFILING_ENGINE, default ${DEFAULT-VALUE}).")
  void profilingEngine(Engine profilingEngine) {
    config.profilingEngine(profilingEngine);
  }

  @Option(
      names = "--allow-raw-jfr",
      defaultValue = "${env:FIBPERF_ALLOW_RAW_JFR:-false}",
      description =
          "Let profiles return raw JFR bytes, which hold other calls' data"
              + " (FIBPERF_ALLOW_RAW_JFR, default ${DEFAULT-VALUE}).")
  void allowRawJfr(boolean allowRawJfr) {
    config.rawJfrEnabled(allowRawJfr);
  }

  @Option(
      names = "--peers",
      defaultValue = "${env:FIBPERF_PEERS:-}",
      description =
          "Replicas whose workers POOL_KIND_CLUSTER uses: dns:///<name>:<port> (every address the"
              + " name has, e.g. a Kubernetes headless Service; list this server too to use its"
              + " own workers) or host:port,host:port (FIBPERF_PEERS; default none). Needs"
              + " --cluster-secret-file, and TLS (--tls-cert-chain) or"
              + " --insecure-plaintext-peers-on-loopback.")
  void peers(String peers) {
    config.peers(peers);
  }

  @Option(
      names = "--kernels",
      paramLabel = "<path>",
      split = ",",
      defaultValue = "${env:FIBPERF_KERNELS:-}",
      description =
          "Jars, or directories of jars, whose kernels (dev.fibperf.kernel.Kernel, found with"
              + " ServiceLoader) this server runs besides its own, on threads and in worker"
              + " processes; loaded at start only (FIBPERF_KERNELS, comma-separated; default"
              + " none). Requests name one with \"kernel\"; ListKernels lists them.")
  void kernels(List<String> paths) {
    config.kernels(paths.stream().filter(p -> !p.isBlank()).map(java.nio.file.Path::of).toList());
  }

  @Option(
      names = "--data-dir",
      paramLabel = "<dir>",
      defaultValue = "${env:FIBPERF_DATA_DIR:-}",
      description =
          "Where the embedded run history (H2) lives (FIBPERF_DATA_DIR; default ~/.fibperf).")
  String dataDir;

  @Option(
      names = "--database",
      paramLabel = "<jdbc-url>",
      defaultValue = "${env:FIBPERF_DATABASE:-}",
      description =
          "Where finished runs are kept: a PostgreSQL URL (jdbc:postgresql://host/db?user=…) that"
              + " replicas share, an H2 URL, or none to keep only the last --recent-runs in memory"
              + " (FIBPERF_DATABASE; default H2 in --data-dir).")
  String database;

  @Option(
      names = "--history-max-runs",
      defaultValue = "${env:FIBPERF_HISTORY_MAX_RUNS:-" + Retention.DEFAULT_MAX_RUNS + "}",
      description =
          "Most runs the history keeps, oldest deleted first (FIBPERF_HISTORY_MAX_RUNS, default"
              + " ${DEFAULT-VALUE}).")
  int historyMaxRuns;

  @Option(
      names = "--history-max-age",
      defaultValue = "${env:FIBPERF_HISTORY_MAX_AGE:-90d}",
      converter = Converters.DurationOption.class,
      description =
          "Oldest run the history keeps (FIBPERF_HISTORY_MAX_AGE, default ${DEFAULT-VALUE}).")
  Duration historyMaxAge;

  @Option(
      names = "--history-max-mib",
      defaultValue = "${env:FIBPERF_HISTORY_MAX_MIB:-1024}",
      description =
          "Most MiB of stored runs (compressed figures, tasks and profiles) the history keeps"
              + " (FIBPERF_HISTORY_MAX_MIB, default ${DEFAULT-VALUE}).")
  long historyMaxMib;

  @Option(
      names = "--worker-jvm-option",
      paramLabel = "<option>",
      description = "An extra JVM option for worker processes (repeatable), e.g. -Xmx256m.")
  List<String> workerJvmOptions = new ArrayList<>();

  /**
   * @throws IllegalArgumentException naming the option whose value the config refuses
   */
  public ServerConfig config() {
    return config
        .workerJvmOptions(workerJvmOptions)
        .database(databaseUrl(database, dataDir))
        .retention(new Retention(historyMaxRuns, historyMaxAge, historyMaxMib << 20))
        .build();
  }

  /**
   * The history's JDBC URL: {@code --database} as given, none for {@code none}, else H2 in the data
   * directory, one server's alone (replicas share a PostgreSQL). Not H2's automatic mixed mode: it
   * needs the host's name to resolve, which in the image's sandbox it did not. And the database
   * closes when the server does, after the last queued run is written, not on H2's own exit hook
   * before it.
   */
  static String databaseUrl(String database, String dataDir) {
    if (database != null && database.equalsIgnoreCase("none")) {
      return "";
    }
    if (database != null && !database.isBlank()) {
      return database.strip();
    }
    java.nio.file.Path dir =
        dataDir == null || dataDir.isBlank()
            ? java.nio.file.Path.of(System.getProperty("user.home"), ".fibperf")
            : java.nio.file.Path.of(dataDir);
    return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("history") + ";DB_CLOSE_ON_EXIT=FALSE";
  }
}
