package dev.fibperf.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.fibperf.proto.Workloads;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.RunMethod;
import dev.fibperf.proto.v1.RunState;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.proto.v1.TaskFinished;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history's store on a real embedded H2 database in a temporary directory. */
class RunStoreTest {
  private static final long NOW_MILLIS = System.currentTimeMillis();

  @TempDir Path dir;

  private String url() {
    return "jdbc:h2:file:" + dir.resolve("history") + ";DB_CLOSE_ON_EXIT=FALSE";
  }

  /** A finished Serial of {@code nums} that ended {@code endedMillis} after the epoch. */
  static RunInfo serial(long id, long endedMillis, int... nums) {
    RunSummary.Builder s =
        RunSummary.newBuilder()
            .setStartTime(Timestamps.fromMillis(endedMillis - 10))
            .setWallDuration(Durations.fromMillis(10));
    RunInfo.Builder r =
        RunInfo.newBuilder()
            .setRunId(id)
            .setMethod(RunMethod.RUN_METHOD_SERIAL)
            .setKernel("fib-naive")
            .setParallelism(1)
            .setState(RunState.RUN_STATE_SUCCEEDED)
            .setAcceptedTime(Timestamps.fromMillis(endedMillis - 11))
            .setEndTime(Timestamps.fromMillis(endedMillis));
    for (int i = 0; i < nums.length; i++) {
      r.addNums(nums[i]);
      s.addResults(
          TaskFinished.newBuilder()
              .setIndex(i)
              .setN(nums[i])
              .setValue("v" + i)
              .setWorker("w")
              .setStartTime(Timestamps.fromMillis(endedMillis - 10 + i))
              .setDuration(Durations.fromMillis(1 + i)));
    }
    return r.setSummary(s).build();
  }

  private static RunStore.StoredRun stored(RunInfo info) {
    return new RunStore.StoredRun("test:1", info, List.of());
  }

  @Test
  void aRunComesBackAsItWent_withItsTasksAndProfile() throws Exception {
    try (RunStore store = RunStore.open(url())) {
      RunInfo run = serial(7, 1_000_000, 20, 21, 22);
      store.insert(
          new RunStore.StoredRun(
              "test:1",
              run,
              List.of(
                  new RunStore.StoredProfile(
                      "serial", "jfr", 5, java.time.Duration.ofMillis(1), "a;b 3\na;c 2\n"))));
      assertEquals(run, store.get(7).orElseThrow());
      assertEquals(1, store.stats().runs());
      RunStore.StoredProfile p = store.profile(7, "serial").orElseThrow();
      assertEquals("a;b 3\na;c 2\n", p.collapsed());
      assertEquals(5, p.samples());
      assertTrue(store.profile(7, "parallel").isEmpty());
      assertTrue(store.get(8).isEmpty());
    }
  }

  @Test
  void smallRunsAreKeptAsTheyAre_largeOnesGzipped_andBothComeBack() throws Exception {
    int[] many = new int[300];
    java.util.Arrays.fill(many, 25);
    RunInfo small = serial(1, 1_000, 20);
    RunInfo large = serial(2, 2_000, many);
    String stacks = "a;b;c 1\n".repeat(1_000);
    assertTrue(small.getSerializedSize() < RunStore.PACK_FROM_BYTES);
    assertTrue(large.getSerializedSize() >= RunStore.PACK_FROM_BYTES);
    try (RunStore store = RunStore.open(url())) {
      store.insert(stored(small));
      store.insert(
          new RunStore.StoredRun(
              "test:1",
              large,
              List.of(
                  new RunStore.StoredProfile(
                      "serial", "jfr", 1_000, Duration.ofMillis(1), stacks))));
      assertEquals(small, store.get(1).orElseThrow());
      assertEquals(large, store.get(2).orElseThrow());
      assertEquals(stacks, store.profile(2, "serial").orElseThrow().collapsed());
      // What was kept: the small run as it is, the large one and its stacks gzipped.
      long kept = store.stats().bytes();
      assertTrue(kept < small.getSerializedSize() + large.getSerializedSize() / 2, "kept " + kept);
    }
    byte[] raw = large.toByteArray();
    assertEquals(RunInfo.parseFrom(raw), RunInfo.parseFrom(RunStore.unpack(RunStore.pack(raw))));
    assertTrue(java.util.Arrays.equals(small.toByteArray(), RunStore.pack(small.toByteArray())));
  }

  @Test
  void theHistoryOutlivesItsStore() throws Exception {
    try (RunStore store = RunStore.open(url())) {
      store.insert(stored(serial(1, 1_000, 30)));
    }
    try (RunStore again = RunStore.open(url())) {
      assertEquals(30, again.get(1).orElseThrow().getNums(0));
    }
  }

  @Test
  void pagesFollowOneAnother_mostRecentlyEndedFirst_andFilterByWorkload() throws Exception {
    try (RunStore store = RunStore.open(url())) {
      for (int i = 1; i <= 25; i++) {
        // Two workloads, interleaved; ids out of end order, as from two replicas' blocks.
        store.insert(stored(serial(i % 2 == 0 ? 1000 + i : i, 10_000 + i, i % 2 == 0 ? 20 : 21)));
      }
      List<Long> seen = new ArrayList<>();
      RunStore.Cursor before = null;
      while (true) {
        List<RunInfo> page = store.list(new RunStore.Query(10, before, null, null));
        page.forEach(r -> seen.add(Timestamps.toMillis(r.getEndTime())));
        if (page.size() < 10) {
          break;
        }
        before = RunStore.Cursor.of(page.get(page.size() - 1));
      }
      List<Long> expected = new ArrayList<>();
      for (int i = 25; i >= 1; i--) {
        expected.add(10_000L + i);
      }
      assertEquals(expected, seen);
      String twenties = Workloads.key(serial(0, 0, 20));
      List<RunInfo> even = store.list(new RunStore.Query(100, null, twenties, null));
      assertEquals(12, even.size());
      assertTrue(even.stream().allMatch(r -> r.getNums(0) == 20));
      // The last one of the workload before the newest.
      assertEquals(
          1022,
          store.lastClean(twenties, RunStore.Cursor.of(even.get(0))).orElseThrow().getRunId());
    }
  }

  @Test
  void retention_keepsTheNewestRuns_withinCountAgeAndSize() throws Exception {
    try (RunStore store = RunStore.open(url())) {
      for (int i = 1; i <= 20; i++) {
        store.insert(stored(serial(i, Duration.ofDays(i).toMillis(), 20, 21)));
      }
      Instant now = Instant.ofEpochMilli(Duration.ofDays(20).toMillis());
      // Count: the newest 15.
      assertTotalsAreTheSums(store);
      assertEquals(5, store.retain(new Retention(15, Duration.ofDays(365), 1L << 30), now));
      assertEquals(15, store.stats().runs());
      assertTotalsAreTheSums(store);
      assertTrue(store.get(6).isPresent() && store.get(5).isEmpty());
      // Age: those that ended within 10 days of now (days 10 to 20).
      assertEquals(4, store.retain(new Retention(100, Duration.ofDays(10), 1L << 30), now));
      assertTrue(store.get(10).isPresent() && store.get(9).isEmpty());
      assertTotalsAreTheSums(store);
      // Size: as many of the newest as fit.
      long each = store.stats().bytes() / store.stats().runs();
      store.retain(new Retention(100, Duration.ofDays(365), each * 4 + each / 2), now);
      assertEquals(4, store.stats().runs());
      assertTotalsAreTheSums(store);
      // Nothing over any limit: nothing goes, and the totals stay right.
      assertEquals(0, store.retain(Retention.DEFAULT, now));
      store.insert(stored(serial(21, Duration.ofDays(20).toMillis() + 1, 20, 21, 22)));
      assertTotalsAreTheSums(store);
      assertTrue(store.get(20).isPresent() && store.get(16).isEmpty());
    }
  }

  @Test
  void aHistoryKeptBeforeTheTotals_startsFromTheSumsOfItsRuns() throws Exception {
    // A history at schema 3, with two runs in it, as an older fibperf left it.
    Flyway.configure()
        .dataSource(url(), "", "")
        .locations("classpath:db/history")
        .placeholders(Map.of("text", "VARCHAR(1000000)", "bytes", "VARBINARY(1000000000)"))
        .table("fibperf_schema_history")
        .target("3")
        .load()
        .migrate();
    try (Connection c = DriverManager.getConnection(url(), "", "");
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO runs (run_id, replica, method, kernel, pool, parallelism, nums,"
                    + " workload, state, accepted_micros, ended_micros, stored_bytes, info)"
                    + " VALUES (?, 'old:1', 'RUN_METHOD_SERIAL', 'fib-naive', 'POOL_KIND_THREADS',"
                    + " 1, '[20]', 'w', 'RUN_STATE_SUCCEEDED', 1, ?, ?, ?)")) {
      for (int id = 1; id <= 2; id++) {
        RunInfo run = serial(id, id, 20);
        s.setLong(1, id);
        s.setLong(2, id * 1000L);
        s.setInt(3, 100 * id);
        s.setBytes(4, run.toByteArray());
        s.executeUpdate();
      }
    }
    try (RunStore store = RunStore.open(url())) {
      assertEquals(new RunStore.Stats(2, 300), store.totals());
      assertTotalsAreTheSums(store);
    }
  }

  @Test
  void totalsThatDrifted_areSetRightByTheNextPassTheyMislead() throws Exception {
    try (RunStore store = RunStore.open(url())) {
      for (int i = 1; i <= 3; i++) {
        store.insert(stored(serial(i, NOW_MILLIS + i, 20)));
      }
      // As after an older replica's deletions on a shared history: the totals overcount.
      try (Connection c = DriverManager.getConnection(url(), "", "")) {
        c.createStatement()
            .execute(
                "UPDATE run_totals SET runs = runs + 500, stored_bytes = stored_bytes + 1000000");
      }
      Instant now = Instant.ofEpochMilli(NOW_MILLIS + 10);
      assertEquals(0, store.retain(new Retention(100, Duration.ofDays(365), 100_000), now));
      assertTotalsAreTheSums(store);
      assertEquals(3, store.stats().runs());
    }
  }

  /** The totals a retention pass reads, against the sums over every run (stats). */
  private static void assertTotalsAreTheSums(RunStore store) throws Exception {
    assertEquals(store.stats(), store.totals());
  }

  @Test
  void idBlocks_claimedAtOnceByTwoStoresOnOneHistory_neverOverlap() throws Exception {
    try (RunStore a = RunStore.open(url());
        RunStore b = RunStore.open(url())) {
      ExecutorService threads = Executors.newFixedThreadPool(4);
      try {
        List<Future<Long>> claims = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          RunStore s = i % 2 == 0 ? a : b;
          claims.add(threads.submit(s::claimIds));
        }
        Set<Long> firsts = Collections.synchronizedSet(new HashSet<>());
        for (Future<Long> f : claims) {
          long first = f.get();
          assertEquals(
              1, first % RunStore.ID_BLOCK, "a block starts at 1 mod " + RunStore.ID_BLOCK);
          assertTrue(firsts.add(first), "block from " + first + " claimed twice");
        }
        assertEquals(40, firsts.size());
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void aPageTokenThatIsNotOne_isRefusedByName() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> RunStore.Cursor.parse("abc"));
    assertEquals("page_token=\"abc\" is not a page token", e.getMessage());
  }
}
