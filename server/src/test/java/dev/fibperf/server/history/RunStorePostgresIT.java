package dev.fibperf.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.testing.Postgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The kept totals on a real PostgreSQL that two replicas share: while both write batches and both
 * apply retention at once, the totals a retention pass reads stay the sums over the runs.
 */
class RunStorePostgresIT {
  private static final int BATCHES = 40;
  private static final int RUNS_PER_BATCH = 25;

  @Test
  void twoReplicasWritingAndRetainingAtOnce_keepTheTotalsTrue() throws Exception {
    try (Postgres pg = Postgres.start();
        RunStore a = RunStore.open(pg.url());
        RunStore b = RunStore.open(pg.url())) {
      Retention keep300 = new Retention(300, Duration.ofDays(365), 1L << 30);
      ExecutorService threads = Executors.newFixedThreadPool(4);
      AtomicBoolean writing = new AtomicBoolean(true);
      try {
        List<Future<?>> writers = new ArrayList<>();
        for (RunStore store : List.of(a, b)) {
          long first = store.claimIds();
          writers.add(
              threads.submit(
                  () -> {
                    long id = first;
                    for (int batch = 0; batch < BATCHES; batch++) {
                      List<RunStore.StoredRun> runs = new ArrayList<>();
                      for (int i = 0; i < RUNS_PER_BATCH; i++, id++) {
                        runs.add(
                            new RunStore.StoredRun(
                                "pg:" + first,
                                RunStoreTest.serial(id, System.currentTimeMillis(), 20, 21),
                                List.of()));
                      }
                      store.insert(runs);
                    }
                    return null;
                  }));
        }
        List<Future<Integer>> retainers = new ArrayList<>();
        for (RunStore store : List.of(a, b)) {
          retainers.add(
              threads.submit(
                  () -> {
                    int deleted = 0;
                    while (writing.get()) {
                      deleted += store.retain(keep300, Instant.now());
                    }
                    return deleted;
                  }));
        }
        for (Future<?> w : writers) {
          w.get(5, TimeUnit.MINUTES);
        }
        writing.set(false);
        int deleted = 0;
        for (Future<Integer> r : retainers) {
          deleted += r.get(5, TimeUnit.MINUTES);
        }
        deleted += a.retain(keep300, Instant.now());
        RunStore.Stats actual = a.stats();
        assertEquals(actual, a.totals());
        assertEquals(300, actual.runs());
        assertEquals(2 * BATCHES * RUNS_PER_BATCH - 300, deleted);
        assertTrue(deleted > 0);
      } finally {
        threads.shutdownNow();
      }
    }
  }
}
