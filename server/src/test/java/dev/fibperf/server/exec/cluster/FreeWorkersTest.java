package dev.fibperf.server.exec.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.fibperf.server.compute.CancellationToken;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A task waiting for a peer worker wakes on the event that ends its wait, whichever it is. */
class FreeWorkersTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final FreeWorkers free = new FreeWorkers(timer);
  private final Peer peer = new Peer("127.0.0.9:1", 1, null);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  /**
   * A task waiting on its own thread, returned once that thread is parked without a timeout: it
   * waits for an event, and does not poll (a polling wait would be TIMED_WAITING).
   */
  private CompletableFuture<Peer.Slot> waiting(CancellationToken token) {
    CompletableFuture<Peer.Slot> taken = new CompletableFuture<>();
    Thread waiter =
        new Thread(
            () -> {
              try {
                taken.complete(free.take(token, () -> new PeersUnavailableException("none live")));
              } catch (RuntimeException e) {
                taken.completeExceptionally(e);
              }
            });
    waiter.setDaemon(true);
    waiter.start();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> waiter.getState() == Thread.State.WAITING);
    return taken;
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(30, TimeUnit.SECONDS);
      throw new AssertionError("completed: " + f.join());
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e; // a future failed with one rethrows it as it is
    }
  }

  @Test
  void aWorkerGivenBack_goesToTheTaskWaitingForIt() throws Exception {
    free.join(peer);
    Peer.Slot busy = free.take(new CancellationToken(), IllegalStateException::new);
    CompletableFuture<Peer.Slot> next = waiting(new CancellationToken());

    free.giveBack(busy);

    assertSame(busy, next.get(30, TimeUnit.SECONDS));
  }

  @Test
  void theLastPeerLost_failsTheWaitingTask() throws Exception {
    free.join(peer);
    free.take(new CancellationToken(), IllegalStateException::new);
    CompletableFuture<Peer.Slot> next = waiting(new CancellationToken());

    peer.markLost();
    free.leave(peer);

    assertInstanceOf(PeersUnavailableException.class, failure(next));
    assertEquals(0, free.live());
  }

  @Test
  void aCancelledRun_stopsWaiting() throws Exception {
    free.join(peer);
    free.take(new CancellationToken(), IllegalStateException::new);
    CancellationToken token = new CancellationToken();
    CompletableFuture<Peer.Slot> next = waiting(token);

    token.cancel();

    assertInstanceOf(CancellationException.class, failure(next));
  }

  @Test
  void aFullPeersWorker_comesBackLater_andALostPeersNever() throws Exception {
    Peer other = new Peer("127.0.0.9:2", 1, null);
    free.join(peer);
    free.join(other);
    Peer.Slot full = free.take(new CancellationToken(), IllegalStateException::new);
    Peer.Slot lost = free.take(new CancellationToken(), IllegalStateException::new);
    lost.peer().markLost();
    free.leave(lost.peer());
    free.giveBack(lost); // dropped

    free.giveBackAfter(full, Duration.ofMillis(20));

    assertSame(
        full,
        CompletableFuture.supplyAsync(
                () -> free.take(new CancellationToken(), IllegalStateException::new))
            .get(30, TimeUnit.SECONDS));
    assertEquals(1, free.live());
  }
}
