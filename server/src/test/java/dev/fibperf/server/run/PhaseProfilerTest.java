package dev.fibperf.server.run;

import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.PoolObserver;
import dev.fibperf.server.exec.process.ProcessPool;
import dev.fibperf.server.profile.JfrProfiler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Live snapshots are taken only while the caller can take them. */
class PhaseProfilerTest {
  @Test
  void noSnapshotIsTakenWhileTheCallerIsBehind_andTheNextOneComesWhenItCatchesUp()
      throws Exception {
    ScheduledExecutorService executor = Executors.newScheduledThreadPool(1);
    ProcessPool processes =
        new ProcessPool(1, PoolObserver.NONE, List.of(), Duration.ofSeconds(1)); // never started
    try {
      PhaseProfiler profiler = new PhaseProfiler(new JfrProfiler(), processes, executor);
      AtomicBoolean callerHasRoom = new AtomicBoolean(false);
      AtomicInteger snapshots = new AtomicInteger();
      ProfileSpec every100ms =
          new ProfileSpec(
              Duration.ofMillis(10),
              5,
              Duration.ofMillis(100),
              List.of(),
              dev.fibperf.server.profile.Engine.JFR);

      PhaseProfiler.Session session =
          profiler
              .start(
                  every100ms,
                  1,
                  PoolKind.THREADS,
                  callerHasRoom::get,
                  s -> snapshots.incrementAndGet())
              .get();
      Thread.sleep(600); // six ticks with the caller behind

      assertEquals(0, snapshots.get(), "none taken while the caller had no room");
      callerHasRoom.set(true);
      await("a snapshot once the caller catches up").until(() -> snapshots.get() >= 1);
      session.finish().get();
    } finally {
      executor.shutdownNow();
      processes.close();
    }
  }
}
