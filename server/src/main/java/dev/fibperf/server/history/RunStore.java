package dev.fibperf.server.history;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.fibperf.proto.Workloads;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.RunInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.flywaydb.core.Flyway;

/**
 * The run history over JDBC: H2 embedded in a data directory, or a PostgreSQL that replicas share.
 * The schema is Flyway's ({@code db/history}, a column type or two per vendor); each finished run
 * is one row of the figures that lists, charts and baselines read and its whole {@link RunInfo}
 * (gzipped when large) as GetRun answers it, tasks included; its profiles' collapsed stacks are
 * rows of their own.
 *
 * <p>Thread-safe: every call takes its own connection from a small HikariCP pool.
 */
public final class RunStore implements AutoCloseable {
  /** How many run ids one claim takes: replicas sharing a history never hand out the same one. */
  public static final int ID_BLOCK = 1000;

  private final HikariDataSource pool;
  private final String description;

  private RunStore(HikariDataSource pool, String description) {
    this.pool = pool;
    this.description = description;
  }

  /**
   * Connects and brings the schema up to date.
   *
   * @param url {@code jdbc:h2:…} or {@code jdbc:postgresql:…}
   * @throws SQLException if the database cannot be reached or migrated
   */
  public static RunStore open(String url) throws SQLException {
    String vendor = vendor(url);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setPoolName("fibperf-history");
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    // Fail at start, not at the first run, when the database is not there.
    config.setInitializationFailTimeout(5_000);
    config.setConnectionTimeout(5_000);
    if (vendor.equals("postgresql")) {
      // A database that stops answering mid-query fails the query after a minute instead of
      // holding its connection (and the writer or reader waiting on it) for ever.
      config.addDataSourceProperty("socketTimeout", "60");
    }
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new SQLException("cannot open the run history at " + redacted(url) + ": " + e, e);
    }
    try {
      Flyway.configure()
          .dataSource(pool)
          .locations("classpath:db/history")
          // The column types H2 and PostgreSQL spell differently; the rest is standard SQL.
          .placeholders(
              vendor.equals("h2")
                  ? Map.of("text", "VARCHAR(1000000)", "bytes", "VARBINARY(1000000000)")
                  : Map.of("text", "TEXT", "bytes", "BYTEA"))
          .table("fibperf_schema_history")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      pool.close();
      throw new SQLException("cannot migrate the run history at " + redacted(url) + ": " + e, e);
    }
    return new RunStore(pool, redacted(url));
  }

  private static String vendor(String url) {
    if (url.startsWith("jdbc:h2:")) {
      return "h2";
    } else if (url.startsWith("jdbc:postgresql:")) {
      return "postgresql";
    }
    throw new IllegalArgumentException(
        "database=" + redacted(url) + " is neither jdbc:h2: nor jdbc:postgresql:");
  }

  /** The URL without its password, for logs and status. */
  public static String redacted(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /** Where the history is, password left out. */
  public String description() {
    return description;
  }

  /**
   * Claims the next {@link #ID_BLOCK} run ids, atomically against every replica sharing this
   * history.
   *
   * @return the first of them
   */
  public long claimIds() throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement lock =
              c.prepareStatement(
                  "SELECT next_id FROM run_id_blocks WHERE name = 'runs' FOR UPDATE");
          PreparedStatement bump =
              c.prepareStatement(
                  "UPDATE run_id_blocks SET next_id = next_id + ? WHERE name = 'runs'")) {
        long first;
        try (ResultSet r = lock.executeQuery()) {
          r.next();
          first = r.getLong(1);
        }
        bump.setLong(1, ID_BLOCK);
        bump.executeUpdate();
        c.commit();
        return first;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** One finished run to keep: its RunInfo as GetRun answers it, and its profiles. */
  public record StoredRun(String replica, RunInfo info, List<StoredProfile> profiles) {
    public StoredRun {
      profiles = List.copyOf(profiles);
    }
  }

  /**
   * One phase's profile.
   *
   * @param phase {@code serial} or {@code parallel}
   * @param samplingPeriod what one sample stands for
   * @param collapsed collapsed stacks (flame-graph input), one stack per line
   */
  public record StoredProfile(
      String phase,
      String engine,
      long samples,
      java.time.Duration samplingPeriod,
      String collapsed) {}

  /**
   * Keeps a finished run and its profiles in one transaction.
   *
   * @return the bytes it took (the RunInfo and profiles as kept)
   */
  public long insert(StoredRun run) throws SQLException {
    return insert(List.of(run));
  }

  /**
   * Keeps finished runs and their profiles in one transaction, each table's rows in one batch: a
   * busy server's runs cost one commit per batch, not one per run.
   *
   * @return the bytes they took (the RunInfos and profiles as kept)
   */
  public long insert(List<StoredRun> runs) throws SQLException {
    long bytes = 0;
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement runRows = c.prepareStatement(INSERT_RUN);
          PreparedStatement profileRows = c.prepareStatement(INSERT_PROFILE)) {
        for (StoredRun run : runs) {
          RunInfo info = run.info();
          byte[] blob = pack(info.toByteArray());
          long runBytes = blob.length;
          for (StoredProfile p : run.profiles()) {
            byte[] z = pack(p.collapsed().getBytes(StandardCharsets.UTF_8));
            runBytes += z.length;
            profileRows.setLong(1, info.getRunId());
            profileRows.setString(2, p.phase());
            profileRows.setString(3, p.engine());
            profileRows.setLong(4, p.samples());
            profileRows.setLong(5, p.samplingPeriod().toNanos());
            profileRows.setBytes(6, z);
            profileRows.addBatch();
          }
          addRun(runBytes, runRows, run.replica(), info, blob);
          bytes += runBytes;
        }
        // Parents first: the profiles reference their runs.
        runRows.executeBatch();
        profileRows.executeBatch();
        addToTotals(c, runs.size(), bytes);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    return bytes;
  }

  private static final String INSERT_RUN =
      "INSERT INTO runs (run_id, replica, method, kernel, pool, parallelism, nums, workload,"
          + " state, accepted_micros, ended_micros, wall_nanos, speedup, speedup_low,"
          + " speedup_high, attainment, verdict, stored_bytes, info, label)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private static final String INSERT_PROFILE =
      "INSERT INTO run_profiles (run_id, phase, engine, samples, period_nanos, collapsed)"
          + " VALUES (?, ?, ?, ?, ?, ?)";

  private static void addRun(
      long bytes, PreparedStatement s, String replica, RunInfo info, byte[] blob)
      throws SQLException {
    s.setLong(1, info.getRunId());
    s.setString(2, replica);
    s.setString(3, info.getMethod().name());
    s.setString(4, info.getKernel());
    s.setString(5, info.getPool().name());
    s.setInt(6, info.getParallelism());
    s.setString(7, Workloads.nums(info));
    s.setString(8, Workloads.key(info));
    s.setString(9, info.getState().name());
    s.setLong(10, Timestamps.toMicros(info.getAcceptedTime()));
    s.setLong(11, Timestamps.toMicros(info.getEndTime()));
    Comparison comparison = info.hasComparison() ? info.getComparison() : null;
    if (info.hasSummary()) {
      s.setLong(12, Durations.toNanos(info.getSummary().getWallDuration()));
    } else if (comparison != null) {
      s.setLong(12, Durations.toNanos(comparison.getParallel().getWallDuration()));
    } else {
      s.setNull(12, Types.BIGINT);
    }
    if (comparison != null) {
      s.setDouble(13, comparison.getSpeedup());
      setOrNull(s, 14, comparison.getEstimate().getSpeedupLow());
      setOrNull(s, 15, comparison.getEstimate().getSpeedupHigh());
      s.setDouble(16, comparison.getAttainment());
      s.setString(17, comparison.getVerdict().name());
    } else {
      for (int i = 13; i <= 16; i++) {
        s.setNull(i, Types.DOUBLE);
      }
      s.setNull(17, Types.VARCHAR);
    }
    s.setLong(18, bytes);
    s.setBytes(19, blob);
    s.setString(20, info.getLabel());
    s.addBatch();
  }

  private static void setOrNull(PreparedStatement s, int i, double value) throws SQLException {
    if (value == 0) {
      s.setNull(i, Types.DOUBLE);
    } else {
      s.setDouble(i, value);
    }
  }

  /**
   * Which runs to list.
   *
   * @param limit most runs
   * @param before a page's end: only runs that ended before this one (its end and id), or null
   * @param workload only runs of this workload ({@link Workloads#key}), or null
   * @param method only runs of this method ({@code RUN_METHOD_COMPARE} …), or null
   * @param label only runs with this label, or null
   */
  public record Query(int limit, Cursor before, String workload, String method, String label) {
    public Query(int limit, Cursor before, String workload, String method) {
      this(limit, before, workload, method, null);
    }
  }

  /** A place in the list, most recently ended first: the end, then the id. */
  public record Cursor(long endedMicros, long runId) {
    /** The page token that continues the list after this run. */
    public String token() {
      return endedMicros + "." + runId;
    }

    /** Parses {@link #token()}; empty for no token. */
    public static Optional<Cursor> parse(String token) {
      if (token.isEmpty()) {
        return Optional.empty();
      }
      int dot = token.indexOf('.');
      try {
        return Optional.of(
            new Cursor(
                Long.parseLong(token.substring(0, dot)), Long.parseLong(token.substring(dot + 1))));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("page_token=\"" + token + "\" is not a page token");
      }
    }

    /** Where {@code info} is in the list. */
    public static Cursor of(RunInfo info) {
      return new Cursor(Timestamps.toMicros(info.getEndTime()), info.getRunId());
    }
  }

  /** Runs most recently ended first, each as GetRun answers it. */
  public List<RunInfo> list(Query q) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT info FROM runs WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (q.before() != null) {
      sql.append(" AND (ended_micros < ? OR (ended_micros = ? AND run_id < ?))");
      args.add(q.before().endedMicros());
      args.add(q.before().endedMicros());
      args.add(q.before().runId());
    }
    if (q.workload() != null) {
      sql.append(" AND workload = ?");
      args.add(q.workload());
    }
    if (q.method() != null) {
      sql.append(" AND method = ?");
      args.add(q.method());
    }
    if (q.label() != null) {
      sql.append(" AND label = ?");
      args.add(q.label());
    }
    sql.append(" ORDER BY ended_micros DESC, run_id DESC LIMIT ?");
    args.add(q.limit());
    List<RunInfo> runs = new ArrayList<>();
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        s.setObject(i + 1, args.get(i));
      }
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          runs.add(RunInfo.parseFrom(unpack(r.getBytes(1))));
        }
      }
    } catch (IOException e) {
      throw new SQLException("a stored run does not parse: " + e, e);
    }
    return runs;
  }

  /**
   * Runs other replicas finished since {@code sinceMicros} (by their end), oldest first: what a
   * watcher here sees of the replicas that share this history.
   *
   * @param replica this replica, whose own runs are left out
   */
  public List<RunInfo> finishedElsewhere(String replica, long sinceMicros, int limit)
      throws SQLException {
    List<RunInfo> runs = new ArrayList<>();
    try (Connection c = pool.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT info FROM runs WHERE ended_micros >= ? AND replica <> ?"
                    + " ORDER BY ended_micros, run_id LIMIT ?")) {
      s.setLong(1, sinceMicros);
      s.setString(2, replica);
      s.setInt(3, limit);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          runs.add(RunInfo.parseFrom(unpack(r.getBytes(1))));
        }
      }
    } catch (IOException e) {
      throw new SQLException("a stored run does not parse: " + e, e);
    }
    return runs;
  }

  /** One run as GetRun answers it. */
  public Optional<RunInfo> get(long runId) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT info FROM runs WHERE run_id = ?")) {
      s.setLong(1, runId);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(RunInfo.parseFrom(unpack(r.getBytes(1)))) : Optional.empty();
      }
    } catch (IOException e) {
      throw new SQLException("run " + runId + " does not parse: " + e, e);
    }
  }

  /**
   * The latest run of {@code workload} that ended before {@code before} with a CLEAN verdict, or
   * with none (a run that is not a Compare).
   */
  public Optional<RunInfo> lastClean(String workload, Cursor before) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT info FROM runs WHERE workload = ? AND state = 'RUN_STATE_SUCCEEDED'"
                    + " AND (verdict IS NULL OR verdict = 'VERDICT_CLEAN')"
                    + " AND (ended_micros < ? OR (ended_micros = ? AND run_id < ?))"
                    + " ORDER BY ended_micros DESC, run_id DESC LIMIT 1")) {
      s.setString(1, workload);
      s.setLong(2, before.endedMicros());
      s.setLong(3, before.endedMicros());
      s.setLong(4, before.runId());
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(RunInfo.parseFrom(unpack(r.getBytes(1)))) : Optional.empty();
      }
    } catch (IOException e) {
      throw new SQLException("a stored run does not parse: " + e, e);
    }
  }

  /** A run's stored profile of one phase ({@code serial} or {@code parallel}). */
  public Optional<StoredProfile> profile(long runId, String phase) throws SQLException {
    try {
      return readProfile(runId, phase);
    } catch (IOException e) {
      throw new SQLException("run " + runId + "'s " + phase + " profile does not unzip: " + e, e);
    }
  }

  private Optional<StoredProfile> readProfile(long runId, String phase)
      throws SQLException, IOException {
    try (Connection c = pool.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT engine, samples, period_nanos, collapsed FROM run_profiles"
                    + " WHERE run_id = ? AND phase = ?")) {
      s.setLong(1, runId);
      s.setString(2, phase);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new StoredProfile(
                phase,
                r.getString(1),
                r.getLong(2),
                java.time.Duration.ofNanos(r.getLong(3)),
                new String(unpack(r.getBytes(4)), StandardCharsets.UTF_8)));
      }
    }
  }

  /** How many runs the history holds and the bytes they take. */
  public record Stats(long runs, long bytes) {
    Stats minus(Stats gone) {
      return new Stats(runs - gone.runs, bytes - gone.bytes);
    }
  }

  /** What the history holds now, summed over its runs (a full read). */
  public Stats stats() throws SQLException {
    try (Connection c = pool.getConnection()) {
      return sums(c);
    }
  }

  private static Stats sums(Connection c) throws SQLException {
    try (PreparedStatement s =
            c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(stored_bytes), 0) FROM runs");
        ResultSet r = s.executeQuery()) {
      r.next();
      return new Stats(r.getLong(1), r.getLong(2));
    }
  }

  /**
   * Deletes the runs a retention policy no longer keeps: beyond its count, older than its age, then
   * the oldest until the stored bytes fit its size.
   *
   * @return how many runs were deleted
   */
  public int retain(Retention retention, Instant now) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        // The totals' row, locked: one replica's pass at a time, and its deletions and the totals
        // agree when it commits.
        Stats totals = readTotals(c, " FOR UPDATE");
        int deleted = 0;
        Stats gone =
            remove(
                c,
                "ended_micros < ?",
                now.toEpochMilli() * 1000 - retention.maxAge().toNanos() / 1000);
        deleted += (int) gone.runs();
        totals = totals.minus(gone);
        if (totals.runs() > retention.maxRuns()) {
          // The newest maxRuns are kept; the end of the last one kept is the cut.
          Cursor cut = cutAfterCount(c, retention.maxRuns());
          if (cut == null) {
            totals = recount(c); // over by the totals only: they drifted (see recount)
          } else {
            gone = removeFrom(c, cut);
            deleted += (int) gone.runs();
            totals = totals.minus(gone);
          }
        }
        if (totals.bytes() > retention.maxBytes()) {
          Cursor cut = cutAfterBytes(c, retention.maxBytes());
          if (cut == null) {
            recount(c);
          } else {
            deleted += (int) removeFrom(c, cut).runs();
          }
        }
        c.commit();
        return deleted;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * The totals kept with every write and delete (what a retention pass reads), without a lock: for
   * checking them against {@link #stats()}.
   */
  Stats totals() throws SQLException {
    try (Connection c = pool.getConnection()) {
      return readTotals(c, "");
    }
  }

  private static Stats readTotals(Connection c, String lock) throws SQLException {
    try (PreparedStatement s =
            c.prepareStatement(
                "SELECT runs, stored_bytes FROM run_totals WHERE name = 'runs'" + lock);
        ResultSet r = s.executeQuery()) {
      r.next();
      return new Stats(r.getLong(1), r.getLong(2));
    }
  }

  /**
   * Sets the totals to the sums over the runs, when a limit the totals said was passed was not: a
   * replica from before the totals (V4), still running on a shared history, deletes runs without
   * taking them off. A full read, so only then.
   */
  private static Stats recount(Connection c) throws SQLException {
    Stats actual = sums(c);
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE run_totals SET runs = ?, stored_bytes = ? WHERE name = 'runs'")) {
      s.setLong(1, actual.runs());
      s.setLong(2, actual.bytes());
      s.executeUpdate();
    }
    return actual;
  }

  private static final String ADD_TO_TOTALS =
      "UPDATE run_totals SET runs = runs + ?, stored_bytes = stored_bytes + ? WHERE name = 'runs'";

  private static void addToTotals(Connection c, long runs, long bytes) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(ADD_TO_TOTALS)) {
      s.setLong(1, runs);
      s.setLong(2, bytes);
      s.executeUpdate();
    }
  }

  /**
   * Deletes the runs {@code where} picks, taking them off the totals; the caller holds the totals'
   * lock and commits.
   */
  private static Stats remove(Connection c, String where, long... args) throws SQLException {
    Stats gone;
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT COUNT(*), COALESCE(SUM(stored_bytes), 0) FROM runs WHERE " + where)) {
      for (int i = 0; i < args.length; i++) {
        s.setLong(i + 1, args[i]);
      }
      try (ResultSet r = s.executeQuery()) {
        r.next();
        gone = new Stats(r.getLong(1), r.getLong(2));
      }
    }
    if (gone.runs() == 0) {
      return gone;
    }
    try (PreparedStatement s = c.prepareStatement("DELETE FROM runs WHERE " + where)) {
      for (int i = 0; i < args.length; i++) {
        s.setLong(i + 1, args[i]);
      }
      s.executeUpdate();
    }
    addToTotals(c, -gone.runs(), -gone.bytes());
    return gone;
  }

  /** Deletes {@code from} and every run that ended before it. */
  private static Stats removeFrom(Connection c, Cursor from) throws SQLException {
    if (from == null) {
      return new Stats(0, 0);
    }
    return remove(
        c,
        "ended_micros < ? OR (ended_micros = ? AND run_id <= ?)",
        from.endedMicros(),
        from.endedMicros(),
        from.runId());
  }

  private static Cursor cutAfterCount(Connection c, int keep) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT ended_micros, run_id FROM runs ORDER BY ended_micros DESC, run_id DESC"
                + " OFFSET ? ROWS FETCH FIRST 1 ROWS ONLY")) {
      s.setInt(1, keep);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? new Cursor(r.getLong(1), r.getLong(2)) : null;
      }
    }
  }

  /**
   * The first run (newest first) whose running total of stored bytes passes {@code maxBytes}: a
   * walk, only once the totals say something must go.
   */
  private static Cursor cutAfterBytes(Connection c, long maxBytes) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT ended_micros, run_id, stored_bytes FROM runs"
                + " ORDER BY ended_micros DESC, run_id DESC")) {
      s.setFetchSize(1000);
      try (ResultSet r = s.executeQuery()) {
        long total = 0;
        while (r.next()) {
          total += r.getLong(3);
          if (total > maxBytes) {
            return new Cursor(r.getLong(1), r.getLong(2));
          }
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    pool.close();
  }

  /**
   * Below this, a blob is kept as it is: deflating the RunInfo of a one-task run took a quarter of
   * the writer's CPU and saved a few hundred bytes.
   */
  static final int PACK_FROM_BYTES = 2048;

  /** {@code bytes} gzipped if they are at least {@link #PACK_FROM_BYTES}, else as they are. */
  static byte[] pack(byte[] bytes) {
    return bytes.length >= PACK_FROM_BYTES ? gzip(bytes) : bytes;
  }

  /**
   * What {@link #pack} made, back. Neither a serialized protobuf message nor UTF-8 text can start
   * with gzip's magic bytes (0x1f 0x8b), so they say which it was.
   */
  static byte[] unpack(byte[] bytes) throws IOException {
    boolean gzipped = bytes.length >= 2 && bytes[0] == (byte) 0x1f && bytes[1] == (byte) 0x8b;
    return gzipped ? gunzip(bytes) : bytes;
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
    // The fastest level: a run's figures are small and written on a busy server's spare core.
    try (GZIPOutputStream z =
        new GZIPOutputStream(out) {
          {
            def.setLevel(java.util.zip.Deflater.BEST_SPEED);
          }
        }) {
      z.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] gunzip(byte[] bytes) throws IOException {
    try (GZIPInputStream z = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return z.readAllBytes();
    }
  }
}
