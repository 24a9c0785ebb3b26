package dev.fibperf.server.service;

import dev.fibperf.kernel.KernelOutput;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ProfileOptions;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.server.analysis.RoundPolicy;
import dev.fibperf.server.analysis.ScheduleKind;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CostModel;
import dev.fibperf.server.compute.KernelCatalog;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.profile.Engine;
import dev.fibperf.server.profile.JfrProfiler;
import dev.fibperf.server.profile.SamplingPolicy;
import dev.fibperf.server.run.ArtifactFormat;
import dev.fibperf.server.run.ProfileSpec;
import dev.fibperf.server.run.RunKind;
import dev.fibperf.server.run.RunSpec;
import io.grpc.Status;
import io.grpc.StatusException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a request into a {@link RunSpec}, or into the only INVALID_ARGUMENT and FAILED_PRECONDITION
 * statuses the service sends: each names the field, the value and the limit it breaks (and the
 * server flag that sets the limit). Every number and duration is range-checked before any
 * arithmetic on it.
 */
final class RequestMapper {
  /** The origin's inputs: expensive enough to see, quick enough to wait for. */
  static final List<Integer> DEFAULT_NUMS = List.of(34, 35, 36, 35);

  static final int DEFAULT_TOP = 15;
  static final int MAX_TOP = 1000;
  static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofMillis(500);
  static final Duration MIN_SNAPSHOT_INTERVAL = Duration.ofMillis(100);
  static final Duration MAX_SNAPSHOT_INTERVAL = Duration.ofHours(1);

  /** gRPC's default inbound limit in every client: no message the server sends may exceed it. */
  static final int MAX_MESSAGE_BYTES = 4 << 20;

  /**
   * What the per-task results may take in one message; the rest of a final message (figures,
   * schedule, notes, top methods) fits in the remaining 256 KiB, checked at the largest request
   * this allows by {@code BoundedMessagesTest}.
   */
  static final long MAX_RESULT_BYTES = MAX_MESSAGE_BYTES - (256 << 10);

  /**
   * A generous allowance for a task result's bytes besides its value's digits (index, n, times,
   * worker); that the whole bound holds is what {@code BoundedMessagesTest} checks, at the largest
   * request it admits.
   */
  static final int RESULT_OVERHEAD_BYTES = 64;

  private final ServerConfig config;
  private final KernelCatalog kernels;

  /** A label's longest and its characters: a name to find runs by, not a place for data. */
  static final int MAX_LABEL = 64;

  private static final java.util.regex.Pattern LABEL =
      java.util.regex.Pattern.compile("[A-Za-z0-9._:-]*");

  /**
   * @throws StatusException INVALID_ARGUMENT naming the field, the value and the limit
   */
  static String label(String label) throws StatusException {
    if (label.length() > MAX_LABEL) {
      throw Status.INVALID_ARGUMENT
          .withDescription("label is " + label.length() + " characters long; at most " + MAX_LABEL)
          .asException();
    }
    if (!LABEL.matcher(label).matches()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("label=\"" + label + "\" may hold only A-Z a-z 0-9 . _ : -")
          .asException();
    }
    return label;
  }

  RequestMapper(ServerConfig config, KernelCatalog kernels) {
    this.config = config;
    this.kernels = kernels;
  }

  RunSpec serial(SerialRequest r) throws StatusException {
    return spec(
            RunKind.SERIAL,
            r.getNumsList(),
            algorithm(r.getAlgorithmValue(), r.getKernel()),
            0,
            1,
            r.getPoolValue())
        .build(null, r.getLabel());
  }

  RunSpec parallel(ParallelRequest r) throws StatusException {
    return spec(
            RunKind.PARALLEL,
            r.getNumsList(),
            algorithm(r.getAlgorithmValue(), r.getKernel()),
            r.getParallelism(),
            1,
            r.getPoolValue())
        .build(null, r.getLabel());
  }

  RunSpec profileSerial(ProfileSerialRequest r) throws StatusException {
    ProfileSpec profile = profile(r.hasOptions() ? r.getOptions() : null, "options");
    Draft draft =
        spec(
            RunKind.PROFILE_SERIAL,
            r.getNumsList(),
            algorithm(r.getAlgorithmValue(), r.getKernel()),
            0,
            1,
            r.getPoolValue());
    if (!r.getOptions().hasSamplingPeriod()) {
      profile = profile.withSamplingPeriod(SamplingPolicy.defaultPeriod(draft.naiveCalls));
    }
    refuseClusterProfile(draft, "pool");
    if (draft.pool == PoolKind.PROCESSES && profile.artifacts().contains(ArtifactFormat.JFR)) {
      throw Status.FAILED_PRECONDITION
          .withDescription(
              "options.artifacts: FORMAT_JFR is not available from worker processes;"
                  + " ask for FORMAT_COLLAPSED or FORMAT_FLAMEGRAPH_HTML")
          .asException();
    }
    return draft.build(profile, r.getLabel());
  }

  RunSpec compare(CompareRequest r) throws StatusException {
    ProfileSpec profile = r.getProfile() ? profile(null, "profile") : null;
    Draft draft =
        spec(
            RunKind.COMPARE,
            r.getNumsList(),
            algorithm(r.getAlgorithmValue(), r.getKernel()),
            r.getParallelism(),
            2,
            r.getPoolValue());
    if (profile != null) {
      refuseClusterProfile(draft, "profile");
      profile = profile.withSamplingPeriod(SamplingPolicy.defaultPeriod(draft.naiveCalls));
    }
    return draft
        .compare(isolation(r.getIsolationValue()), schedule(r.getScheduleValue()))
        .rounds(rounds(r, draft.naiveCalls))
        .build(profile, r.getLabel());
  }

  /**
   * The Compare's rounds. Each round runs the tasks twice; the work limit bounds them all: a fixed
   * count must fit it, and an adaptive Compare stops where it would not.
   */
  private RoundPolicy rounds(CompareRequest r, double naiveCallsPerRun) throws StatusException {
    int rounds = r.getRounds();
    if (rounds < 0 || rounds > RoundPolicy.MAX_ROUNDS) {
      throw invalid(
          "rounds=%d exceeds max rounds %d",
          Integer.toUnsignedLong(rounds), RoundPolicy.MAX_ROUNDS);
    }
    // With a sweep a round also runs the parallel phase at each narrower width.
    int widths = r.getSweep() ? Math.max(1, parallelismForWork(r.getParallelism())) : 1;
    double perRound = (1 + widths) * naiveCallsPerRun;
    int affordable =
        perRound == 0
            ? RoundPolicy.MAX_ROUNDS
            : (int)
                Math.max(1, Math.min(RoundPolicy.MAX_ROUNDS, config.maxNaiveCalls() / perRound));
    if (rounds > affordable) {
      throw invalid(
          "rounds=%d: nums need %.3g naive-recursion calls per round, so at most %d rounds fit max"
              + " %.3g per request (--max-naive-calls)",
          rounds, perRound, affordable, (double) config.maxNaiveCalls());
    }
    Duration budget = RoundPolicy.DEFAULT_BUDGET;
    if (r.hasBudget()) {
      budget = duration(r.getBudget(), "budget");
      if (budget.isNegative() || budget.compareTo(RoundPolicy.MAX_BUDGET) > 0) {
        throw invalid(
            "budget=%.3fs is outside 0s..%ds",
            budget.toMillis() / 1000.0, RoundPolicy.MAX_BUDGET.toSeconds());
      }
    }
    double target = r.getTargetPrecision();
    if (!(target >= 0 && target <= RoundPolicy.MAX_TARGET_PRECISION)) {
      throw invalid(
          "target_precision=%s is outside 0..%s (0 means %s)",
          target, RoundPolicy.MAX_TARGET_PRECISION, RoundPolicy.DEFAULT_TARGET_PRECISION);
    }
    return new RoundPolicy(
        rounds,
        budget,
        target == 0 ? RoundPolicy.DEFAULT_TARGET_PRECISION : target,
        r.getSeed(),
        affordable,
        r.getSweep());
  }

  /** The widths a sweep will run: the asked parallelism, else the thread pool's size. */
  private int parallelismForWork(int parallelism) {
    return parallelism > 0 ? parallelism : config.workers();
  }

  /** Profiles sample this JVM or its worker processes; the peers' threads are out of reach. */
  private static void refuseClusterProfile(Draft draft, String field) throws StatusException {
    if (draft.pool == PoolKind.CLUSTER) {
      throw Status.FAILED_PRECONDITION
          .withDescription(
              field
                  + ": profiling is not available on POOL_KIND_CLUSTER (the tasks run on other"
                  + " replicas); profile on POOL_KIND_THREADS or POOL_KIND_PROCESSES")
          .asException();
    }
  }

  /** A spec whose fields are checked, waiting for its profile. */
  private static final class Draft {
    final RunKind kind;
    final List<Task> tasks;
    final Algorithm algorithm;
    final int parallelism;
    final PoolKind pool;

    /** Naive-recursion calls of one run of the tasks: what the expected run length comes from. */
    double naiveCalls;

    boolean exclusive;
    ScheduleKind schedule = ScheduleKind.MEASURED_OPTIMAL;
    RoundPolicy rounds;

    Draft(RunKind kind, List<Task> tasks, Algorithm algorithm, int parallelism, PoolKind pool) {
      this.kind = kind;
      this.tasks = tasks;
      this.algorithm = algorithm;
      this.parallelism = parallelism;
      this.pool = pool;
      this.exclusive = kind == RunKind.COMPARE;
    }

    Draft compare(boolean exclusive, ScheduleKind schedule) {
      this.exclusive = exclusive;
      this.schedule = schedule;
      return this;
    }

    Draft rounds(RoundPolicy rounds) {
      this.rounds = rounds;
      return this;
    }

    RunSpec build(ProfileSpec profile, String label) throws StatusException {
      return new RunSpec(
          kind,
          tasks,
          algorithm,
          parallelism,
          pool,
          profile,
          exclusive,
          schedule,
          null,
          rounds,
          label(label));
    }
  }

  /**
   * @param nums the request's inputs; empty means {@link #DEFAULT_NUMS}
   * @param parallelism 0 means the pool's size; ignored by serial runs
   * @param runs how many times the call runs the tasks (2 for Compare), for the work limit
   */
  private Draft spec(
      RunKind kind,
      List<Integer> nums,
      Algorithm algorithm,
      int parallelism,
      int runs,
      int poolValue)
      throws StatusException {
    PoolKind pool = pool(poolValue);
    List<Integer> inputs = nums.isEmpty() ? DEFAULT_NUMS : nums;
    if (inputs.size() > config.maxTasks()) {
      throw invalid(
          "nums has %d entries, exceeds max tasks %d (--max-tasks)",
          inputs.size(), config.maxTasks());
    }
    int maxN = maxN(algorithm);
    List<Task> tasks = new ArrayList<>(inputs.size());
    double naiveCalls = 0;
    for (int i = 0; i < inputs.size(); i++) {
      // uint32 arrives as a signed int: values above 2^31-1 are negative here.
      long n = Integer.toUnsignedLong(inputs.get(i));
      if (n > maxN && algorithm.builtIn()) {
        throw invalid(
            "nums[%d]=%d exceeds max n %d for algorithm %s (%s)",
            i, n, maxN, Protos.algorithm(algorithm), maxNFlag(algorithm));
      }
      if (n > maxN || n < algorithm.kernel().minSize()) {
        throw invalid(
            "nums[%d]=%d is outside [%d, %d], the sizes kernel %s accepts",
            i, n, algorithm.kernel().minSize(), maxN, algorithm.kernelName());
      }
      tasks.add(new Task(i, (int) n));
      if (algorithm == Algorithm.NAIVE) {
        naiveCalls += CostModel.naiveCalls((int) n);
      }
    }
    if (naiveCalls * runs > config.maxNaiveCalls()) {
      throw invalid(
          "nums need %.3g naive-recursion calls%s, exceeds max %.3g per request"
              + " (--max-naive-calls); use smaller n or fewer tasks",
          naiveCalls * runs,
          runs > 1 ? " (" + runs + " runs)" : "",
          (double) config.maxNaiveCalls());
    }
    long resultBytes = resultBytes(tasks, algorithm) * runs;
    if (resultBytes > MAX_RESULT_BYTES) {
      throw invalid(
          "nums: the results would take %.3f MiB of the final message%s, over the %.3f MiB it has"
              + " for them within the %d MiB every gRPC client accepts by default; use smaller n"
              + " or fewer tasks",
          resultBytes / (1024.0 * 1024),
          runs > 1 ? " (" + runs + " runs)" : "",
          MAX_RESULT_BYTES / (1024.0 * 1024),
          MAX_MESSAGE_BYTES >> 20);
    }
    long requestedParallelism = Integer.toUnsignedLong(parallelism);
    if (pool == PoolKind.CLUSTER) {
      return clusterDraft(kind, tasks, algorithm, requestedParallelism, naiveCalls);
    }
    if (requestedParallelism > config.workers()) {
      throw invalid(
          "parallelism=%d exceeds the pool's %d workers (--workers)",
          requestedParallelism, config.workers());
    }
    Draft draft = new Draft(kind, tasks, algorithm, (int) requestedParallelism, pool);
    draft.naiveCalls = naiveCalls;
    return draft;
  }

  /**
   * A run on the cluster pool: its size is the peers' workers, known once they answer, so a
   * parallelism of 0 asks for all of them and a larger one is checked then.
   */
  private Draft clusterDraft(
      RunKind kind,
      List<Task> tasks,
      Algorithm algorithm,
      long requestedParallelism,
      double naiveCalls)
      throws StatusException {
    if (config.peers().isEmpty()) {
      throw Status.FAILED_PRECONDITION
          .withDescription("pool=POOL_KIND_CLUSTER needs --peers; this server has none")
          .asException();
    }
    if (requestedParallelism > MAX_CLUSTER_PARALLELISM) {
      throw invalid(
          "parallelism=%d exceeds the cluster pool's limit %d",
          requestedParallelism, MAX_CLUSTER_PARALLELISM);
    }
    Draft draft = new Draft(kind, tasks, algorithm, (int) requestedParallelism, PoolKind.CLUSTER);
    draft.naiveCalls = naiveCalls;
    return draft;
  }

  /** Most tasks one run may have in flight on the cluster pool: one thread each here. */
  static final int MAX_CLUSTER_PARALLELISM = 4096;

  /** An upper bound on the bytes the tasks' results take in a summary. */
  static long resultBytes(List<Task> tasks, Algorithm algorithm) {
    long bytes = 0;
    for (Task t : tasks) {
      bytes +=
          (algorithm.builtIn() ? CostModel.decimalDigits(t.n()) : KernelOutput.MAX_CHARS)
              + RESULT_OVERHEAD_BYTES;
    }
    return bytes;
  }

  /**
   * How a request's profile options are sampled and reported, checked against this server's limits.
   *
   * @param options the request's options, or null for the defaults
   * @param field the request field they came from, for error messages
   */
  private ProfileSpec profile(ProfileOptions options, String field) throws StatusException {
    if (!config.profilingEnabled()) {
      throw Status.FAILED_PRECONDITION
          .withDescription("profiling is disabled on this server (--no-profiling)")
          .asException();
    }
    if (options == null) {
      options = ProfileOptions.getDefaultInstance();
    }
    Duration period = JfrProfiler.FINEST_PERIOD;
    if (options.hasSamplingPeriod()) {
      period = duration(options.getSamplingPeriod(), field + ".sampling_period");
      if (period.compareTo(JfrProfiler.FINEST_PERIOD) < 0
          || period.compareTo(JfrProfiler.COARSEST_PERIOD) > 0) {
        throw invalid(
            "%s.sampling_period=%s outside [%s, %s]",
            field, period, JfrProfiler.FINEST_PERIOD, JfrProfiler.COARSEST_PERIOD);
      }
    }
    int top = options.getTop() == 0 ? DEFAULT_TOP : options.getTop();
    if (Integer.toUnsignedLong(top) > MAX_TOP) {
      throw invalid("%s.top=%d exceeds max %d", field, Integer.toUnsignedLong(top), MAX_TOP);
    }
    Duration interval = DEFAULT_SNAPSHOT_INTERVAL;
    if (options.hasSnapshotInterval()) {
      interval = duration(options.getSnapshotInterval(), field + ".snapshot_interval");
      if (interval.compareTo(MIN_SNAPSHOT_INTERVAL) < 0
          || interval.compareTo(MAX_SNAPSHOT_INTERVAL) > 0) {
        throw invalid(
            "%s.snapshot_interval=%s outside [%s, %s]",
            field, interval, MIN_SNAPSHOT_INTERVAL, MAX_SNAPSHOT_INTERVAL);
      }
    }
    List<ArtifactFormat> artifacts = new ArrayList<>();
    for (int i = 0; i < options.getArtifactsCount(); i++) {
      ArtifactFormat format = Protos.format(options.getArtifacts(i));
      if (format == null) {
        throw invalid(
            "%s.artifacts[%d]=%d is not one of FORMAT_COLLAPSED, FORMAT_FLAMEGRAPH_HTML,"
                + " FORMAT_JFR",
            field, i, options.getArtifactsValue(i));
      }
      if (format == ArtifactFormat.JFR && !config.rawJfrEnabled()) {
        throw Status.FAILED_PRECONDITION
            .withDescription(
                field
                    + ".artifacts["
                    + i
                    + "]=FORMAT_JFR: raw recordings hold other calls' data and are off on this"
                    + " server (--allow-raw-jfr)")
            .asException();
      }
      if (!artifacts.contains(format)) {
        artifacts.add(format);
      }
    }
    Engine engine =
        switch (options.getEngine()) {
          case PROFILING_ENGINE_UNSPECIFIED -> config.profilingEngine();
          case PROFILING_ENGINE_JFR -> Engine.JFR;
          case PROFILING_ENGINE_ASYNC_PROFILER -> Engine.ASYNC_PROFILER;
          case UNRECOGNIZED ->
              throw invalid(
                  "%s.engine=%d is not one of PROFILING_ENGINE_JFR,"
                      + " PROFILING_ENGINE_ASYNC_PROFILER",
                  field, options.getEngineValue());
        };
    return new ProfileSpec(period, top, interval, artifacts, engine);
  }

  private static Duration duration(com.google.protobuf.Duration d, String field)
      throws StatusException {
    try {
      return Protos.duration(d);
    } catch (IllegalArgumentException e) {
      throw invalid(
          "%s={seconds: %d, nanos: %d} is not a valid duration",
          field, d.getSeconds(), d.getNanos());
    }
  }

  /** The request's kernel: named by {@code kernel}, else by {@code algorithm}. */
  private Algorithm algorithm(int value, String kernel) throws StatusException {
    dev.fibperf.proto.v1.Algorithm wire = dev.fibperf.proto.v1.Algorithm.forNumber(value);
    Algorithm algorithm = wire == null ? null : Protos.algorithm(wire);
    if (algorithm == null) {
      throw invalid(
          "algorithm=%d is not one of ALGORITHM_NAIVE, ALGORITHM_ITERATIVE,"
              + " ALGORITHM_FAST_DOUBLING",
          value);
    }
    if (kernel.isEmpty()) {
      return algorithm;
    }
    Algorithm named =
        kernels
            .find(kernel)
            .orElseThrow(
                () ->
                    invalid(
                        "kernel=\"%s\" is not one of this server's kernels (%s); see ListKernels",
                        kernel.length() > 80 ? kernel.substring(0, 80) + "..." : kernel,
                        kernels.all().stream()
                            .map(Algorithm::kernelName)
                            .collect(java.util.stream.Collectors.joining(", "))));
    if (value != 0 && named != algorithm) {
      throw invalid(
          "kernel=%s and algorithm=%s name different kernels; set one of them",
          named.kernelName(), wire);
    }
    return named;
  }

  private static boolean isolation(int value) throws StatusException {
    dev.fibperf.proto.v1.Isolation wire = dev.fibperf.proto.v1.Isolation.forNumber(value);
    Boolean exclusive = wire == null ? null : Protos.exclusive(wire);
    if (exclusive == null) {
      throw invalid("isolation=%d is not one of ISOLATION_EXCLUSIVE, ISOLATION_SHARED", value);
    }
    return exclusive;
  }

  private static ScheduleKind schedule(int value) throws StatusException {
    dev.fibperf.proto.v1.Schedule wire = dev.fibperf.proto.v1.Schedule.forNumber(value);
    ScheduleKind schedule = wire == null ? null : Protos.schedule(wire);
    if (schedule == null) {
      throw invalid(
          "schedule=%d is not one of SCHEDULE_MEASURED_OPTIMAL, SCHEDULE_LARGEST_FIRST", value);
    }
    return schedule;
  }

  private static PoolKind pool(int value) throws StatusException {
    dev.fibperf.proto.v1.PoolKind wire = dev.fibperf.proto.v1.PoolKind.forNumber(value);
    PoolKind pool = wire == null ? null : Protos.pool(wire);
    if (pool == null) {
      throw invalid(
          "pool=%d is not one of POOL_KIND_THREADS, POOL_KIND_PROCESSES, POOL_KIND_CLUSTER", value);
    }
    return pool;
  }

  private int maxN(Algorithm algorithm) {
    return config.maxN(algorithm);
  }

  private static String maxNFlag(Algorithm algorithm) {
    return "--max-n-" + algorithm.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static StatusException invalid(String format, Object... args) {
    return Status.INVALID_ARGUMENT.withDescription(String.format(format, args)).asException();
  }
}
