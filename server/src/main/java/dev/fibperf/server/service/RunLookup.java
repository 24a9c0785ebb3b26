package dev.fibperf.server.service;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.protobuf.util.Timestamps;
import dev.fibperf.proto.Workloads;
import dev.fibperf.proto.v1.HistoryStatus;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.ListRunsResponse;
import dev.fibperf.proto.v1.RunChange;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.RunMethod;
import dev.fibperf.proto.v1.RunState;
import dev.fibperf.proto.v1.SpeedupEstimate;
import dev.fibperf.server.analysis.AcrossCompares;
import dev.fibperf.server.analysis.Verdict;
import dev.fibperf.server.history.RunHistory;
import dev.fibperf.server.history.RunStore;
import dev.fibperf.server.run.RunKind;
import dev.fibperf.server.run.RunRegistry;
import dev.fibperf.server.run.RunRegistry.RunRecord;
import io.grpc.Status;
import io.grpc.StatusException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Where ListRuns, GetRun, {@code /api/runs} and the flame-graph pages find runs: in flight and just
 * finished in the {@link RunRegistry}, older ones in the {@link RunHistory}. A history that cannot
 * answer leaves the list to the registry's recent runs, and says so in its status.
 */
public final class RunLookup implements AutoCloseable {
  public static final int DEFAULT_PAGE = 100;
  public static final int MAX_PAGE = 1000;

  /** Threads that read the history for calls; see {@link #read}. */
  public static final int READERS = 2;

  /** Reads that may wait for a reader; one more is refused. */
  public static final int WAITING_READS = 16;

  /** How long a finished Compare waits for its workload's earlier Compares from the history. */
  static final Duration PAST_COMPARES_WAIT = Duration.ofSeconds(2);

  private final RunRegistry runs;
  private final RunHistory<RunRecord> history;
  private final ThreadPoolExecutor readers;

  public RunLookup(RunRegistry runs, RunHistory<RunRecord> history) {
    this.runs = runs;
    this.history = history;
    this.readers =
        new ThreadPoolExecutor(
            READERS,
            READERS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(WAITING_READS),
            new ThreadFactoryBuilder()
                .setNameFormat("fibperf-history-read-%d")
                .setDaemon(true)
                .build(),
            new ThreadPoolExecutor.AbortPolicy());
    readers.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs {@code read} on one of the history's {@link #READERS} threads. Calls are handled on the
   * transport's threads, which must never wait: a read can wait on a database (a slow or stopped
   * PostgreSQL, a connection pool in use), and a transport thread waiting there stalls every call
   * it carries.
   *
   * @throws RejectedExecutionException when {@link #WAITING_READS} reads wait already
   */
  public void read(Runnable read) {
    readers.execute(read);
  }

  @Override
  public void close() {
    readers.shutdownNow();
  }

  public RunRegistry registry() {
    return runs;
  }

  public RunHistory<RunRecord> history() {
    return history;
  }

  /**
   * A page of runs, as ListRuns answers it.
   *
   * @throws IllegalArgumentException naming the field for a bad page size, token or run
   */
  public ListRunsResponse list(ListRunsRequest request) {
    if (request.getPageSize() > MAX_PAGE) {
      throw new IllegalArgumentException(
          "page_size=" + request.getPageSize() + " is above the limit of " + MAX_PAGE);
    }
    if (request.getMethod() == RunMethod.UNRECOGNIZED) {
      throw new IllegalArgumentException(
          "method=" + request.getMethodValue() + " is not a RunMethod");
    }
    int size = request.getPageSize() == 0 ? DEFAULT_PAGE : request.getPageSize();
    RunStore.Cursor before = RunStore.Cursor.parse(request.getPageToken()).orElse(null);
    String workload = null;
    if (request.getSameWorkloadAs() != 0) {
      RunInfo of =
          get(request.getSameWorkloadAs())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "same_workload_as="
                              + request.getSameWorkloadAs()
                              + " is not a run this server knows"));
      workload = Workloads.key(of);
    }
    String method =
        request.getMethod() == RunMethod.RUN_METHOD_UNSPECIFIED ? null : request.getMethod().name();
    String wantedWorkload = workload;
    String label = request.getLabel().isEmpty() ? null : request.getLabel();
    Predicate<RunInfo> wanted =
        r ->
            (method == null || r.getMethod().name().equals(method))
                && (wantedWorkload == null || Workloads.key(r).equals(wantedWorkload))
                && (label == null || r.getLabel().equals(label));

    ListRunsResponse.Builder b = ListRunsResponse.newBuilder();
    if (before == null) {
      for (RunRecord r : runs.inFlight()) {
        RunInfo info = RunsMapper.listed(r);
        if (wanted.test(info)) {
          b.addInFlight(info);
        }
      }
    }
    // The registry's recent runs, and a page of the history, merged: a run that just ended may
    // not be written yet, and a history that cannot answer leaves the registry's.
    List<RunInfo> merged = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    try {
      for (RunInfo r :
          history.list(new RunStore.Query(size + 1, before, workload, method, label))) {
        if (seen.add(r.getRunId())) {
          merged.add(RunsMapper.listed(r));
        }
      }
    } catch (SQLException | RuntimeException e) {
      // recorded in the history's status, shown below
    }
    for (RunRecord r : runs.recent()) {
      RunInfo info = RunsMapper.listed(r);
      if (wanted.test(info)
          && (before == null || after(before, info))
          && seen.add(info.getRunId())) {
        merged.add(info);
      }
    }
    merged.sort(
        Comparator.comparing((RunInfo r) -> Timestamps.toMicros(r.getEndTime()))
            .thenComparing(RunInfo::getRunId)
            .reversed());
    List<RunInfo> page = merged.subList(0, Math.min(size, merged.size()));
    b.addAllRecent(page);
    if (merged.size() > size && history.enabled()) {
      RunInfo last = page.get(page.size() - 1);
      b.setNextPageToken(
          new RunStore.Cursor(Timestamps.toMicros(last.getEndTime()), last.getRunId()).token());
    }
    b.setHistory(status());
    return b.build();
  }

  private static boolean after(RunStore.Cursor cursor, RunInfo info) {
    long end = Timestamps.toMicros(info.getEndTime());
    return end < cursor.endedMicros()
        || (end == cursor.endedMicros() && info.getRunId() < cursor.runId());
  }

  /**
   * The finished runs with {@code label}, most recently ended first, at most {@code limit}: from
   * the history, else (history off or failing) from memory.
   */
  public List<RunInfo> labelled(String label, int limit) {
    List<RunInfo> found = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    // Just finished runs may not be written yet: memory's first, then the history's.
    for (RunRecord r : runs.recent()) {
      if (r.spec().label().equals(label) && seen.add(r.id())) {
        found.add(RunsMapper.info(r));
      }
    }
    try {
      for (RunInfo r : history.list(new RunStore.Query(limit, null, null, null, label))) {
        if (seen.add(r.getRunId())) {
          found.add(r);
        }
      }
    } catch (SQLException | RuntimeException e) {
      // recorded in the history's status; memory's runs are still there
    }
    return found.subList(0, Math.min(limit, found.size()));
  }

  /**
   * The headline speedups of the finished Compares of run {@code runId}'s workload (at {@code
   * parallelism}) and label, most recently ended first, at most {@code limit}, the run itself left
   * out: from memory and the history (which replicas sharing it share). What a finished Compare
   * sets itself beside.
   */
  public List<Double> headlineSpeedups(long runId, int parallelism, int limit) {
    Optional<RunRecord> run = runs.get(runId);
    if (run.isEmpty()) {
      return List.of();
    }
    // In flight, a run's record knows the parallelism asked for, its stored form the one used.
    RunInfo like = RunsMapper.info(run.get()).toBuilder().setParallelism(parallelism).build();
    String workload = Workloads.key(like);
    List<RunInfo> found = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    seen.add(runId);
    for (RunRecord r : runs.recent()) {
      // Mapped only when it could match: a Compare's RunInfo, rounds and all, is not small.
      if (r.outcome() != null
          && r.spec().kind() == RunKind.COMPARE
          && r.spec().label().equals(like.getLabel())
          && seen.add(r.id())) {
        RunInfo info = RunsMapper.info(r);
        if (Workloads.key(info).equals(workload)) {
          found.add(info);
        }
      }
    }
    try {
      for (RunInfo r :
          history.list(
              new RunStore.Query(
                  limit + 1,
                  null,
                  workload,
                  RunMethod.RUN_METHOD_COMPARE.name(),
                  like.getLabel()))) {
        if (seen.add(r.getRunId())) {
          found.add(r);
        }
      }
    } catch (SQLException | RuntimeException e) {
      // recorded in the history's status; memory's runs are still there
    }
    found.sort(Comparator.comparing((RunInfo r) -> Timestamps.toMicros(r.getEndTime())).reversed());
    List<Double> speedups = new ArrayList<>();
    for (RunInfo r : found) {
      double headline = headline(r);
      if (!Double.isNaN(headline)) {
        speedups.add(headline);
      }
      if (speedups.size() == limit) {
        break;
      }
    }
    return speedups;
  }

  /** A stored Compare's headline speedup ({@link AcrossCompares#headline}), or NaN. */
  static double headline(RunInfo r) {
    if (r.getState() != RunState.RUN_STATE_SUCCEEDED
        || !r.hasComparison()
        || !r.getComparison().hasEstimate()) {
      return Double.NaN;
    }
    String verdict = r.getComparison().getVerdict().name();
    if (!verdict.startsWith("VERDICT_")) {
      return Double.NaN;
    }
    try {
      SpeedupEstimate e = r.getComparison().getEstimate();
      return AcrossCompares.headline(
          Verdict.valueOf(verdict.substring("VERDICT_".length())),
          e.getSpeedup(),
          e.hasCoreWaitRemoved() ? e.getCoreWaitRemoved().getSpeedup() : Double.NaN);
    } catch (IllegalArgumentException unknownVerdict) {
      return Double.NaN;
    }
  }

  /** A run with its tasks, as GetRun answers it: in flight, recent, or from the history. */
  public Optional<RunInfo> get(long runId) {
    Optional<RunRecord> live = runs.get(runId);
    if (live.isPresent()) {
      return Optional.of(RunsMapper.info(live.get()));
    }
    return history.get(runId);
  }

  /**
   * A finished run against its baseline, as CompareRuns answers it.
   *
   * @param baselineRunId 0 for the last clean run of its workload that ended before it
   * @throws StatusException NOT_FOUND for a run this server does not know, FAILED_PRECONDITION for
   *     runs of different workloads or no earlier clean run
   */
  public RunChange change(long runId, long baselineRunId) throws StatusException {
    Optional<RunInfo> run = get(runId);
    if (run.isEmpty() || run.get().getState() == RunState.RUN_STATE_RUNNING) {
      throw Status.NOT_FOUND
          .withDescription("run_id=" + runId + " is not a finished run this server knows")
          .asException();
    }
    Optional<RunInfo> baseline =
        baselineRunId == 0 ? history.lastClean(run.get()) : get(baselineRunId);
    if (baseline.isEmpty()) {
      throw (baselineRunId == 0
              ? Status.FAILED_PRECONDITION.withDescription(
                  "run_id=" + runId + " has no earlier clean run of its workload in the history")
              : Status.NOT_FOUND.withDescription(
                  "baseline_run_id=" + baselineRunId + " is not a run this server knows"))
          .asException();
    }
    try {
      return RunChanges.between(run.get(), baseline.get());
    } catch (IllegalArgumentException e) {
      throw Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asException();
    }
  }

  /** The history's health, as ListRuns shows it. */
  public HistoryStatus status() {
    RunHistory.Status s = history.status();
    HistoryStatus.Builder b =
        HistoryStatus.newBuilder()
            .setEnabled(s.enabled())
            .setDatabase(s.database())
            .setRunsWritten(s.written())
            .setWritesFailed(s.failed())
            .setRunsDropped(s.dropped())
            .setQueued(s.queued())
            .setLastError(s.lastError());
    if (s.lastErrorTime() != null) {
      b.setLastErrorTime(Protos.timestamp(s.lastErrorTime()));
    }
    return b.build();
  }
}
