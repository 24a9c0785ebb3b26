package dev.fibperf.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.RunInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer in front of the store: what a slow, full or broken database does to runs. */
class RunHistoryTest {
  @TempDir Path dir;

  private String url() {
    return "jdbc:h2:file:" + dir.resolve("history") + ";DB_CLOSE_ON_EXIT=FALSE";
  }

  /** Now, and later: runs of 1970 would be older than the retention's age. */
  private static final long NOW = System.currentTimeMillis();

  private static final Function<RunInfo, RunStore.StoredRun> STORED =
      info -> new RunStore.StoredRun("test:1", info, List.of());

  @Test
  void aDatabaseBrokenMidway_failsWritesOnly_countedAndShown() throws Exception {
    RunStore store = RunStore.open(url());
    try (RunHistory<RunInfo> history =
        RunHistory.of(
            store, STORED, Retention.DEFAULT, new SimpleMeterRegistry(), Clock.systemUTC())) {
      history.offer(RunStoreTest.serial(history.nextRunId(), NOW, 20));
      Awaitility.await().atMost(1, TimeUnit.MINUTES).until(() -> history.status().written() == 1);
      try (Connection c = DriverManager.getConnection(url())) {
        // Writes name this column; the reads below do not.
        c.createStatement().execute("ALTER TABLE runs ALTER COLUMN label RENAME TO label_gone");
      }
      history.offer(RunStoreTest.serial(history.nextRunId(), NOW + 1, 21));
      Awaitility.await().atMost(1, TimeUnit.MINUTES).until(() -> history.status().failed() == 1);
      RunHistory.Status s = history.status();
      assertTrue(s.lastError().startsWith("a run could not be stored: "), s.lastError());
      assertTrue(s.lastErrorTime() != null);
      // The first run is still there to read; the second is not, and nothing threw at the caller.
      assertTrue(history.get(1).isPresent());
      assertTrue(history.get(2).isEmpty());
    }
  }

  /**
   * A mapper that says when the writer has a run ({@code writing}) and holds it until {@code
   * stuck}.
   */
  private static Function<RunInfo, RunStore.StoredRun> held(
      CountDownLatch writing, CountDownLatch stuck) {
    return info -> {
      writing.countDown();
      try {
        stuck.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return STORED.apply(info);
    };
  }

  @Test
  void aFullQueue_dropsRunsFromTheHistory_neverHoldingTheirCallers() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch stuck = new CountDownLatch(1);
    Function<RunInfo, RunStore.StoredRun> slow = held(writing, stuck);
    RunStore store = RunStore.open(url());
    try (RunHistory<RunInfo> history =
        RunHistory.of(
            store, slow, Retention.DEFAULT, new SimpleMeterRegistry(), Clock.systemUTC())) {
      // The writer takes the first run and hangs on it, as on a database that stopped answering.
      history.offer(RunStoreTest.serial(history.nextRunId(), NOW, 20));
      assertTrue(writing.await(1, TimeUnit.MINUTES));
      for (int i = 0; i < RunHistory.QUEUE + 10; i++) {
        history.offer(RunStoreTest.serial(history.nextRunId(), NOW + 1 + i, 20));
      }
      // The queue holds QUEUE runs; the other ten were dropped at once, their callers never held.
      assertEquals(10, history.status().dropped());
      assertEquals(RunHistory.QUEUE, history.status().queued());
      stuck.countDown();
      Awaitility.await()
          .atMost(2, TimeUnit.MINUTES)
          .until(() -> history.status().written() == 1 + RunHistory.QUEUE);
      assertEquals(1 + RunHistory.QUEUE, store.stats().runs());
    }
  }

  @Test
  void runIds_crossIntoTheNextClaimedBlock_unique() throws Exception {
    RunStore store = RunStore.open(url());
    try (RunHistory<RunInfo> history =
        RunHistory.of(
            store, STORED, Retention.DEFAULT, new SimpleMeterRegistry(), Clock.systemUTC())) {
      // A second history on the same database (a replica) claims its block in between.
      long other = store.claimIds();
      Set<Long> ids = new HashSet<>();
      for (int i = 0; i < RunStore.ID_BLOCK * 2 / 3; i++) {
        ids.add(history.nextRunId());
      }
      Awaitility.await().atMost(1, TimeUnit.MINUTES).until(history::nextBlockClaimed);
      for (int i = 0; i < RunStore.ID_BLOCK; i++) {
        assertTrue(ids.add(history.nextRunId()));
      }
      assertEquals(RunStore.ID_BLOCK * 5 / 3, ids.size(), 1);
      for (long id = other; id < other + RunStore.ID_BLOCK; id++) {
        assertTrue(!ids.contains(id), "id " + id + " is the other replica's");
      }
      assertTrue(ids.stream().allMatch(id -> id < RunHistory.FALLBACK_IDS_FROM));
    }
  }

  @Test
  void runIds_nextBlockClaimed_whileTheWriterIsBusy() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch stuck = new CountDownLatch(1);
    Function<RunInfo, RunStore.StoredRun> slow = held(writing, stuck);
    RunStore store = RunStore.open(url());
    try (RunHistory<RunInfo> history =
        RunHistory.of(
            store, slow, Retention.DEFAULT, new SimpleMeterRegistry(), Clock.systemUTC())) {
      // The writer is held in a write (a long batch, a retention pass) while ids are taken.
      history.offer(RunStoreTest.serial(history.nextRunId(), NOW, 20));
      assertTrue(writing.await(1, TimeUnit.MINUTES));
      for (int i = 0; i < RunStore.ID_BLOCK * 2 / 3; i++) {
        history.nextRunId();
      }
      Awaitility.await().atMost(1, TimeUnit.MINUTES).until(history::nextBlockClaimed);
      for (int i = 0; i < RunStore.ID_BLOCK; i++) {
        long id = history.nextRunId();
        assertTrue(id < RunHistory.FALLBACK_IDS_FROM, "id " + id + " is from the fallback range");
      }
      stuck.countDown();
    }
  }

  @Test
  void off_numbersFromOne_andKeepsNothing() {
    RunHistory<RunInfo> off = RunHistory.off(new SimpleMeterRegistry());
    assertEquals(1, off.nextRunId());
    assertEquals(2, off.nextRunId());
    off.offer(RunStoreTest.serial(1, 1, 20));
    assertEquals(0, off.status().written());
    assertTrue(!off.enabled());
    off.close();
  }
}
