package dev.fibperf.server.exec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
  @Test
  void pool_isCreatedOnFirstAcquire_andReusedAfter() {
    try (WorkerPool pool = new WorkerPool(2)) {
      assertFalse(pool.isStarted(), "created before first use");

      TaskPool.Lease first = pool.acquire();
      TaskPool.Lease second = pool.acquire();

      assertTrue(first.cold());
      assertFalse(second.cold());
      assertSame(first.executor(), second.executor());
    }
  }

  @Test
  void closedPool_rejectsNewRuns() {
    WorkerPool pool = new WorkerPool(1);
    pool.acquire();
    pool.close();

    RejectedExecutionException e = assertThrows(RejectedExecutionException.class, pool::acquire);
    assertTrue(e.getMessage().contains("shut down"), e.getMessage());
  }
}
