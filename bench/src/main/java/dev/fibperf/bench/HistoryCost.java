package dev.fibperf.bench;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.fibperf.proto.Workloads;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.RunMethod;
import dev.fibperf.proto.v1.RunState;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.proto.v1.TaskFinished;
import dev.fibperf.server.history.Retention;
import dev.fibperf.server.history.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * What the run history costs, on the embedded H2 (in a temp directory) or a PostgreSQL URL:
 *
 * <ol>
 *   <li>recording: runs of 4 and of 100 tasks stored one per transaction and 256 per transaction
 *       (as the writer batches a busy server's runs), per run and per task;
 *   <li>queries on a history of 10,000 and then 100,000 runs: the first page of ListRuns, a page of
 *       one workload, a deep page, GetRun, the last clean run of a workload, and a retention pass
 *       with nothing to delete.
 * </ol>
 *
 * What it costs a run, side by side with the history off, is {@code CallPathComparison}'s job:
 * {@code HistoryCallPath}.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.HistoryCost [jdbc-url jdbc-url-for-queries]
 * </pre>
 */
public final class HistoryCost {
  private static final int REPS = 51;

  private HistoryCost() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("fibperf-history-cost");
    String url = args.length > 0 ? args[0] : "jdbc:h2:file:" + dir.resolve("history");
    try (RunStore store = RunStore.open(url)) {
      System.out.println("history: " + store.description());
      long id = 1;
      // Recording, warmed up first.
      id = record(store, id, 4, 1, 2_000, false);
      for (int tasks : new int[] {4, 100}) {
        for (int batch : new int[] {1, 256}) {
          int runs = tasks == 4 ? 4_096 : 1_024;
          long start = System.nanoTime();
          id = record(store, id, tasks, batch, runs, false);
          double perRun = (System.nanoTime() - start) / 1e3 / runs;
          System.out.printf(
              Locale.ROOT,
              "record %3d tasks/run, %3d runs/transaction: %8.1f us per run, %6.2f us per task%n",
              tasks,
              batch,
              perRun,
              perRun / tasks);
        }
      }
    }
    // Queries on a history of their own: runs of 4 tasks over 100 workloads.
    String queriesUrl = args.length > 1 ? args[1] : "jdbc:h2:file:" + dir.resolve("queries");
    try (RunStore store = RunStore.open(queriesUrl)) {
      long id = 1;
      for (int size : new int[] {10_000, 100_000}) {
        id = record(store, id, 4, 256, (int) (size - store.stats().runs()), true);
        queries(store, size, id);
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** Stores {@code runs} Serials of {@code tasks} tasks, {@code batch} per transaction. */
  private static long record(
      RunStore store, long id, int tasks, int batch, int runs, boolean manyWorkloads)
      throws Exception {
    List<RunStore.StoredRun> pending = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      // 100 workloads among the filled runs, so a workload's page is a real filter.
      int workload = manyWorkloads ? (int) (id % 100) : 0;
      pending.add(new RunStore.StoredRun("bench:1", serial(id++, tasks, workload), List.of()));
      if (pending.size() == batch) {
        store.insert(pending);
        pending.clear();
      }
    }
    if (!pending.isEmpty()) {
      store.insert(pending);
    }
    return id;
  }

  private static void queries(RunStore store, int size, long nextId) throws Exception {
    RunInfo any = serial(nextId - 1, 4, (int) ((nextId - 1) % 100));
    String workload = Workloads.key(any);
    List<RunInfo> first = store.list(new RunStore.Query(100, null, null, null));
    RunStore.Cursor deep =
        RunStore.Cursor.of(
            store
                .list(new RunStore.Query(1, RunStore.Cursor.of(first.get(99)), null, null))
                .get(0));
    // Half-way down the history: a page there scans past what is above it, or does not.
    RunStore.Cursor middle =
        new RunStore.Cursor(
            Timestamps.toMicros(any.getEndTime()) - size / 2 * 1000L, nextId - size / 2);
    report(size, "ListRuns first page (100 runs)", () -> store.list(q(null, null)));
    report(size, "ListRuns page of one workload", () -> store.list(q(null, workload)));
    report(size, "ListRuns page half-way down", () -> store.list(q(middle, null)));
    report(size, "GetRun", () -> store.get(nextId - size / 2));
    report(size, "last clean run of a workload", () -> store.lastClean(workload, deep));
    report(
        size,
        "retention pass, nothing to delete",
        () ->
            store.retain(
                new Retention(1_000_000, Duration.ofDays(3650), 1L << 40),
                Instant.ofEpochMilli(Timestamps.toMillis(any.getEndTime()))));
    // As on a live server: the table has changed since the last pass (H2 reuses the result of a
    // query on a table that has not), so the pass cannot answer from before. Includes writing the
    // one run, the row above it ("1 runs/transaction").
    long[] next = {nextId + 1_000_000};
    report(
        size,
        "a run written, then a retention pass",
        () -> {
          next[0] = record(store, next[0], 4, 1, 1, true);
          return store.retain(
              new Retention(1_000_000, Duration.ofDays(3650), 1L << 40),
              Instant.ofEpochMilli(Timestamps.toMillis(any.getEndTime())));
        });
  }

  private static RunStore.Query q(RunStore.Cursor before, String workload) {
    return new RunStore.Query(100, before, workload, null);
  }

  private static void report(int size, String what, Callable<?> query) throws Exception {
    double[] millis = new double[REPS];
    Object answer = null;
    for (int w = 0; w < 20; w++) {
      answer = query.call();
    }
    for (int i = 0; i < REPS; i++) {
      long start = System.nanoTime();
      query.call();
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(millis);
    System.out.printf(
        Locale.ROOT,
        "%,8d runs  %-36s %-12s median %7.3f ms  (min %.3f, max %.3f)%n",
        size,
        what,
        answer instanceof List<?> l
            ? l.size() + " runs"
            : answer instanceof java.util.Optional<?> o
                ? (o.isPresent() ? "found" : "NOT FOUND")
                : String.valueOf(answer),
        millis[REPS / 2],
        millis[0],
        millis[REPS - 1]);
  }

  /** A finished Serial, its tasks' figures filled as a real one's are; ended {@code id} ms in. */
  private static RunInfo serial(long id, int tasks, int workload) {
    long end = 1_700_000_000_000L + id * 1000;
    RunSummary.Builder s =
        RunSummary.newBuilder()
            .setStartTime(Timestamps.fromMillis(end - 50))
            .setEndTime(Timestamps.fromMillis(end))
            .setWallDuration(Durations.fromMillis(50))
            .setTaskTime(Durations.fromMillis(48))
            .setRunId(id)
            .setKernel("fib-naive");
    RunInfo.Builder r =
        RunInfo.newBuilder()
            .setRunId(id)
            .setMethod(RunMethod.RUN_METHOD_SERIAL)
            .setKernel("fib-naive")
            .setParallelism(1)
            .setState(RunState.RUN_STATE_SUCCEEDED)
            .setAcceptedTime(Timestamps.fromMillis(end - 51))
            .setEndTime(Timestamps.fromMillis(end));
    for (int i = 0; i < tasks; i++) {
      int n = 20 + (i + workload) % 10;
      r.addNums(n);
      s.addResults(
          TaskFinished.newBuilder()
              .setIndex(i)
              .setN(n)
              .setValue(String.valueOf(6765L * (i + 1)))
              .setWorker("fibperf-worker-0")
              .setStartTime(Timestamps.fromMillis(end - 50 + i))
              .setDuration(Durations.fromNanos(412_345 + i))
              .setCpuTime(Durations.fromNanos(400_123 + i))
              .setCoreWait(Durations.fromNanos(1_234)));
    }
    // The workload is the nums: vary the first so that there are 100 of them.
    if (tasks > 0) {
      r.setNums(0, 20 + workload);
    }
    return r.setSummary(s).build();
  }
}
