package dev.fibperf.server.exec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's run delay, read per thread: parsed right, and seen when threads outnumber cores.
 */
class CoreWaitTest {
  @Test
  void runDelay_isTheSecondField() {
    byte[] line = "775037 1285389 9\n".getBytes(US_ASCII);
    assertEquals(1285389, CoreWait.runDelay(line, line.length));
    byte[] bad = "775037\n".getBytes(US_ASCII);
    assertEquals(-1, CoreWait.runDelay(bad, bad.length));
  }

  @Test
  void threadsThatOutnumberTheCores_waitForThem() throws Exception {
    assumeTrue(CoreWait.available(), "this OS reports no run delay");
    int threads = Runtime.getRuntime().availableProcessors() * 3;
    CountDownLatch go = new CountDownLatch(1);
    AtomicLong totalWait = new AtomicLong();
    List<Thread> spinners = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                long before = CoreWait.nanos();
                long t0 = System.nanoTime();
                // Enough CPU work that the scheduler must take turns (several time slices).
                double x = 0;
                for (long k = 0; k < 300_000_000L; k++) {
                  x += k * 1e-9;
                }
                long waited = CoreWait.nanos() - before;
                long elapsed = System.nanoTime() - t0;
                assertTrue(waited >= 0 && waited <= elapsed, waited + " of " + elapsed);
                totalWait.addAndGet(waited + (x < 0 ? 1 : 0));
              });
      spinners.add(t);
      t.start();
    }
    go.countDown();
    for (Thread t : spinners) {
      t.join();
    }
    assertTrue(totalWait.get() > 0, "three runnable threads per core, and none waited");
  }

  @Test
  void everyReading_isAMark_soEachWaitIsCountedOnce() throws Exception {
    assumeTrue(CoreWait.available(), "this OS reports no run delay");
    long[] readings = new long[6];
    // A fresh thread, so its marks count from its start.
    Thread fresh =
        new Thread(
            () -> {
              readings[0] = CoreWait.lastMark();
              readings[1] = CoreWait.nanos();
              readings[2] = CoreWait.sinceLastMark();
              readings[3] = CoreWait.sinceLastMark();
              readings[4] = CoreWait.nanos();
              readings[5] = CoreWait.lastMark();
            });
    fresh.start();
    fresh.join();
    String all = Arrays.toString(readings);
    assertEquals(0, readings[0], "before its first reading, a thread's mark is its start: " + all);
    assertTrue(readings[2] >= 0 && readings[3] >= 0, all);
    assertTrue(readings[1] + readings[2] + readings[3] <= readings[4], "counted once: " + all);
    assertEquals(readings[4], readings[5], "lastMark reads nothing new: " + all);
  }

  @Test
  void aComputationsLeadIn_isTheWaitSinceTheThreadsPreviousReading() {
    assumeTrue(CoreWait.available(), "this OS reports no run delay");
    for (int i = 0; i < 2_000; i++) {
      long before = CoreWait.nanos();
      TaskTiming timing = TaskTiming.of(() -> 1).timing();
      long after = CoreWait.lastMark();
      assertTrue(timing.leadInCoreWaitNanos() >= 0, timing.toString());
      // The lead-in and the computation's own wait together never exceed the thread's wait since
      // the reading before them.
      assertTrue(
          timing.leadInCoreWaitNanos() + timing.coreWaitNanos() <= after - before,
          timing + " between readings " + before + " and " + after);
    }
  }

  @Test
  void aComputationsCpuTimeAndCoreWait_fallInsideItsElapsedTime() {
    for (int i = 0; i < 2_000; i++) {
      int n = i;
      TaskTiming timing = TaskTiming.of(() -> Integer.toString(n).hashCode()).timing();
      assertTrue(timing.cpuNanos() <= timing.elapsedNanos(), timing.toString());
      assertTrue(timing.coreWaitNanos() <= timing.elapsedNanos(), timing.toString());
    }
  }
}
