package dev.fibperf.server.history;

import dev.fibperf.proto.Workloads;
import dev.fibperf.proto.v1.RunInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Finished runs kept in a {@link RunStore}, written off the runs' threads: a run that ends is put
 * on a bounded queue and one writer thread maps and stores it. A run never waits for the database,
 * and a database that is full, slow or gone never fails one: a write that fails is logged, counted
 * ({@code fibperf_history_writes_total{outcome}}) and shown ({@link #status()}); a queue that is
 * full drops the run from the history (counted too) rather than hold its caller.
 *
 * <p>Also hands out run ids, claimed from the store in blocks so that replicas sharing one history
 * never give two runs the same id.
 *
 * @param <R> the finished run as the server holds it, mapped to a {@link RunStore.StoredRun} on the
 *     writer thread
 */
public final class RunHistory<R> implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RunHistory.class.getName());

  /** Runs waiting to be written; beyond it, runs are left out of the history (and counted). */
  public static final int QUEUE = 1024;

  /** Most runs written in one transaction. */
  static final int BATCH = 256;

  /**
   * How long the writer waits for more runs before it writes what it has: a run is in the database
   * this much later at most (ListRuns shows it from memory meanwhile).
   */
  static final Duration LINGER = Duration.ofMillis(100);

  /** How often a lingering writer looks whether a whole batch is waiting. */
  static final Duration LOOK = Duration.ofMillis(10);

  /** How often the writer applies the retention policy. */
  static final Duration RETENTION_EVERY = Duration.ofMinutes(1);

  /**
   * Where ids go once no block can be claimed (the database is gone): a random place above 2^52,
   * far from the blocks and still exact as a JavaScript number.
   */
  static final long FALLBACK_IDS_FROM = 1L << 52;

  private final RunStore store; // null: the history is off, runs live only in memory
  private final Function<R, RunStore.StoredRun> mapper;
  private final Retention retention;
  private final Clock clock;
  private final BlockingQueue<R> queue = new ArrayBlockingQueue<>(QUEUE);
  private final Thread writer;
  private final Counter written;
  private final Counter failed;
  private final Counter dropped;
  private final Timer writeTime;
  private volatile String lastError = "";
  private volatile Instant lastErrorTime;
  private volatile boolean closed;
  private String unavailableDatabase = "";

  private final Object ids = new Object();
  private long nextId;
  private long blockEnd;
  private long claimedFirst; // a block claimed ahead, 0 when none
  private boolean claimWanted;

  /**
   * Claims the next block of ids while the current one is half used. Not the writer: a retention
   * pass or a large batch can keep it longer than a busy server takes to use up half a block (seen:
   * runs numbered from the fallback range while retention deleted 26,000 runs).
   */
  private final ExecutorService claimer;

  private RunHistory(
      RunStore store,
      Function<R, RunStore.StoredRun> mapper,
      Retention retention,
      MeterRegistry meters,
      Clock clock) {
    this.store = store;
    this.mapper = mapper;
    this.retention = retention;
    this.clock = clock;
    this.written = writes(meters, "written");
    this.failed = writes(meters, "failed");
    this.dropped = writes(meters, "dropped");
    this.writeTime =
        Timer.builder("fibperf.history.write")
            .description(
                "Time to store one batch of finished runs (their figures, tasks and profiles)")
            .register(meters);
    io.micrometer.core.instrument.Gauge.builder("fibperf.history.queue", queue, BlockingQueue::size)
        .description("Finished runs waiting to be written to the run history")
        .register(meters);
    this.writer = new Thread(this::write, "fibperf-history");
    writer.setDaemon(true);
    this.claimer =
        store == null
            ? null
            : Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r, "fibperf-history-ids");
                  t.setDaemon(true);
                  return t;
                });
  }

  private static Counter writes(MeterRegistry meters, String outcome) {
    return Counter.builder("fibperf.history.writes")
        .description("Finished runs offered to the history, by what became of them")
        .tag("outcome", outcome)
        .register(meters);
  }

  /** No history: runs are numbered from 1 and remembered only in memory. */
  public static <R> RunHistory<R> off(MeterRegistry meters) {
    RunHistory<R> h =
        new RunHistory<>(null, r -> null, Retention.DEFAULT, meters, Clock.systemUTC());
    h.nextId = 1;
    h.blockEnd = Long.MAX_VALUE;
    return h;
  }

  /**
   * No history because {@code database} could not be opened at start: runs live in memory, and the
   * status keeps saying why.
   */
  public static <R> RunHistory<R> unavailable(MeterRegistry meters, String database, String error) {
    RunHistory<R> h = off(meters);
    h.unavailableDatabase = database;
    h.failure("cannot open " + database + ": " + error);
    return h;
  }

  /**
   * A history in {@code store}, whose first block of ids is claimed now.
   *
   * @param mapper what to keep of a finished run; runs on the writer thread
   */
  public static <R> RunHistory<R> of(
      RunStore store,
      Function<R, RunStore.StoredRun> mapper,
      Retention retention,
      MeterRegistry meters,
      Clock clock)
      throws SQLException {
    RunHistory<R> h = new RunHistory<>(store, mapper, retention, meters, clock);
    h.nextId = store.claimIds();
    h.blockEnd = h.nextId + RunStore.ID_BLOCK;
    h.writer.start();
    return h;
  }

  /** Whether runs are kept in a database. */
  public boolean enabled() {
    return store != null;
  }

  /** The next run's id. */
  public long nextRunId() {
    synchronized (ids) {
      if (nextId >= blockEnd) {
        if (claimedFirst > 0) {
          nextId = claimedFirst;
          blockEnd = claimedFirst + RunStore.ID_BLOCK;
          claimedFirst = 0;
        } else {
          // No block to hand out: the database has been gone for a while. A random range keeps
          // ids apart from every block and, most likely, from other replicas in the same state.
          nextId = FALLBACK_IDS_FROM + ThreadLocalRandom.current().nextLong(1L << 40);
          blockEnd = nextId + RunStore.ID_BLOCK;
          LOG.log(
              Level.WARNING,
              "run history: no block of run ids could be claimed; numbering runs from " + nextId);
        }
      }
      long id = nextId++;
      if (store != null
          && claimedFirst == 0
          && !claimWanted
          && blockEnd - nextId < RunStore.ID_BLOCK / 2) {
        claimWanted = true;
        try {
          claimer.execute(this::claimIfWanted);
        } catch (RejectedExecutionException e) {
          claimWanted = false; // closing: no more blocks
        }
      }
      return id;
    }
  }

  /** Whether the block after the current one is claimed already. */
  boolean nextBlockClaimed() {
    synchronized (ids) {
      return claimedFirst > 0;
    }
  }

  /** Queues a finished run for the history; never blocks. */
  public void offer(R run) {
    if (store == null || closed) {
      return;
    }
    if (!queue.offer(run)) {
      dropped.increment();
      failure("the write queue is full (" + QUEUE + " runs); a run was left out of the history");
    }
  }

  private void write() {
    Instant nextRetention = clock.instant();
    while (!closed || !queue.isEmpty()) {
      R run;
      try {
        run = queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (run != null) {
        // What else arrives within LINGER goes in the same transaction: one commit per batch,
        // not per run, which halves what a run costs to keep (BENCHMARKS, "The run history").
        List<R> batch = new ArrayList<>();
        batch.add(run);
        try {
          linger(batch);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          closed = true;
        }
        long start = System.nanoTime();
        try {
          List<RunStore.StoredRun> stored = new ArrayList<>(batch.size());
          for (R r : batch) {
            stored.add(mapper.apply(r));
          }
          store.insert(stored);
          written.increment(batch.size());
          writeTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (SQLException | RuntimeException e) {
          failed.increment(batch.size());
          failure(
              (batch.size() == 1 ? "a run" : batch.size() + " runs")
                  + " could not be stored: "
                  + e);
        }
      }
      if (!clock.instant().isBefore(nextRetention)) {
        nextRetention = clock.instant().plus(RETENTION_EVERY);
        retain();
      }
    }
  }

  /**
   * Adds to {@code batch} what is queued, and what arrives within {@link #LINGER} (sooner once a
   * whole batch waits). It sleeps instead of waiting on the queue: a writer waiting there is woken
   * by every run offered, which took a fifth of its CPU on a busy server (BENCHMARKS, "The run
   * history"); a sleeping one looks every {@link #LOOK}.
   */
  private void linger(List<R> batch) throws InterruptedException {
    long deadline = System.nanoTime() + LINGER.toNanos();
    while (!closed && batch.size() + queue.size() < BATCH) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(left, LOOK.toNanos()));
    }
    queue.drainTo(batch, BATCH - batch.size());
  }

  /** Applies the retention policy now (the writer does it every minute). */
  public int retain() {
    if (store == null) {
      return 0;
    }
    try {
      int deleted = store.retain(retention, clock.instant());
      if (deleted > 0) {
        LOG.log(Level.INFO, "run history: retention deleted " + deleted + " runs");
      }
      return deleted;
    } catch (SQLException | RuntimeException e) {
      failure("retention failed: " + e);
      return 0;
    }
  }

  private void claimIfWanted() {
    synchronized (ids) {
      if (!claimWanted) {
        return;
      }
    }
    try {
      long first = store.claimIds();
      synchronized (ids) {
        claimedFirst = first;
        claimWanted = false;
      }
    } catch (SQLException | RuntimeException e) {
      synchronized (ids) {
        claimWanted = false; // the next id asks again
      }
      failure("no block of run ids could be claimed: " + e);
    }
  }

  private void failure(String message) {
    lastError = message;
    lastErrorTime = clock.instant();
    LOG.log(Level.WARNING, "run history: " + message);
  }

  /**
   * The history's health, as ListRuns and the dashboard show it.
   *
   * @param database where it is (password left out), empty when off
   * @param lastError the latest failure, empty if none
   * @param lastErrorTime when it happened, null if never
   */
  public record Status(
      boolean enabled,
      String database,
      long written,
      long failed,
      long dropped,
      int queued,
      String lastError,
      Instant lastErrorTime) {}

  public Status status() {
    return new Status(
        store != null,
        store == null ? unavailableDatabase : store.description(),
        (long) written.count(),
        (long) failed.count(),
        (long) dropped.count(),
        queue.size(),
        lastError,
        lastErrorTime);
  }

  /**
   * Runs from the history, most recently ended first; empty when the history is off.
   *
   * @throws SQLException when the database cannot answer (recorded in {@link #status()})
   */
  public List<RunInfo> list(RunStore.Query query) throws SQLException {
    if (store == null) {
      return List.of();
    }
    try {
      return store.list(query);
    } catch (SQLException | RuntimeException e) {
      failure("runs could not be listed: " + e);
      throw e;
    }
  }

  /** A run from the history; empty when it is not there or the history is off or unreachable. */
  public Optional<RunInfo> get(long runId) {
    if (store == null) {
      return Optional.empty();
    }
    try {
      return store.get(runId);
    } catch (SQLException | RuntimeException e) {
      failure("run " + runId + " could not be read: " + e);
      return Optional.empty();
    }
  }

  /**
   * The latest clean run of {@code workload} before {@code run}; see {@link RunStore#lastClean}.
   */
  public Optional<RunInfo> lastClean(RunInfo run) {
    if (store == null) {
      return Optional.empty();
    }
    try {
      return store.lastClean(Workloads.key(run), RunStore.Cursor.of(run));
    } catch (SQLException | RuntimeException e) {
      failure("the baseline could not be looked up: " + e);
      return Optional.empty();
    }
  }

  /**
   * Runs other replicas sharing this history finished since {@code sinceMicros}; empty when the
   * history is off or cannot answer (recorded in {@link #status()}).
   */
  public List<RunInfo> finishedElsewhere(String replica, long sinceMicros, int limit) {
    if (store == null) {
      return List.of();
    }
    try {
      return store.finishedElsewhere(replica, sinceMicros, limit);
    } catch (SQLException | RuntimeException e) {
      failure("other replicas' runs could not be read: " + e);
      return List.of();
    }
  }

  /** A stored profile of one phase; empty when there is none or the history cannot answer. */
  public Optional<RunStore.StoredProfile> profile(long runId, String phase) {
    if (store == null) {
      return Optional.empty();
    }
    try {
      return store.profile(runId, phase);
    } catch (SQLException | RuntimeException e) {
      failure("run " + runId + "'s profile could not be read: " + e);
      return Optional.empty();
    }
  }

  /**
   * Writes what is queued (for up to {@code grace}), then closes the store. Runs offered after this
   * are not kept.
   */
  public void close(Duration grace) {
    closed = true;
    if (store == null) {
      return;
    }
    try {
      writer.join(grace.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      writer.interrupt();
      LOG.log(
          Level.WARNING,
          "run history: " + queue.size() + " finished runs were not stored before shutdown");
    }
    claimer.shutdownNow();
    store.close();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
