package dev.fibperf.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventStreamTest {
  /**
   * With direct executors, a message handed to gRPC can come straight back as an onReady callback
   * on the same thread. The stream must still end exactly once, after every message.
   */
  @Test
  void onReadyReenteringFromOnNext_stillCompletesOnceAfterEveryMessage() {
    ReentrantObserver observer = new ReentrantObserver();
    EventStream<String> stream = new EventStream<>(observer, 64, () -> {}, () -> {});

    stream.send("a");
    stream.send("b");
    stream.complete("summary");

    assertEquals(List.of("a", "b", "summary"), observer.messages);
    assertEquals(1, observer.completions);
  }

  private final Loop loop = new Loop();

  @AfterEach
  void stopLoop() {
    loop.shutdownNow();
  }

  /** A transport thread stand-in: one thread, counting the tasks it has run. */
  private static final class Loop extends ScheduledThreadPoolExecutor {
    final AtomicInteger tasks = new AtomicInteger();
    volatile Thread thread;

    Loop() {
      super(1);
      setRemoveOnCancelPolicy(true);
    }

    @Override
    protected void beforeExecute(Thread t, Runnable r) {
      thread = t;
      tasks.incrementAndGet();
    }

    <T> T on(Callable<T> work) throws Exception {
      return submit(work).get(1, TimeUnit.MINUTES);
    }

    void run(Runnable work) throws Exception {
      submit(work).get(1, TimeUnit.MINUTES);
    }
  }

  /** What the observer was handed, and on which thread. */
  private record Written(String message, Thread thread) {}

  private EventStream<String> onLoop(ReentrantObserver observer, Duration hold) throws Exception {
    return loop.on(() -> new EventStream<>(observer, 64, () -> {}, () -> {}, loop, hold));
  }

  @Test
  void fromAWorker_aTasksStartResultAndSummary_areWrittenOnTheLoop_inOneTask() throws Exception {
    List<Written> written = new CopyOnWriteArrayList<>();
    ReentrantObserver observer =
        new ReentrantObserver(m -> written.add(new Written(m, Thread.currentThread())));
    // A hold far longer than the test: the start can only go out with what follows it.
    EventStream<String> stream = onLoop(observer, Duration.ofMinutes(10));
    loop.run(stream::holdProgress);
    int before = loop.tasks.get();
    stream.sendProgress("started");
    loop.on(() -> null); // any drain it had caused would have run by now
    assertEquals(List.of(), written);
    // The loop is busy (reading, say) while the worker sends the rest.
    CountDownLatch busy = new CountDownLatch(1);
    loop.execute(
        () -> {
          try {
            busy.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    stream.send("finished");
    stream.complete("summary");
    busy.countDown();
    Awaitility.await().atMost(1, TimeUnit.MINUTES).until(() -> observer.completions == 1);
    assertEquals(
        List.of("started", "finished", "summary"), written.stream().map(Written::message).toList());
    assertTrue(written.stream().allMatch(w -> w.thread() == loop.thread));
    // One drain task wrote all three (the no-op and the busy spell were the other two).
    assertEquals(before + 3, loop.tasks.get());
    // The held drain was cancelled by the one that wrote: no timer is left behind.
    assertEquals(0, loop.getQueue().size());
  }

  @Test
  void progressWithNothingAfterIt_goesOutOnceTheHoldHasPassed() throws Exception {
    List<String> written = new CopyOnWriteArrayList<>();
    ReentrantObserver observer = new ReentrantObserver(written::add);
    EventStream<String> stream = onLoop(observer, Duration.ofMillis(5));
    stream.sendProgress("started");
    Awaitility.await().atMost(1, TimeUnit.MINUTES).until(() -> written.equals(List.of("started")));
    assertEquals(0, loop.getQueue().size());
  }

  @Test
  void aFailedStream_cancelsItsHeldDrain() throws Exception {
    ReentrantObserver observer = new ReentrantObserver(m -> {});
    observer.failures = new ArrayList<>();
    EventStream<String> stream = onLoop(observer, Duration.ofMinutes(10));
    stream.sendProgress("started");
    assertEquals(1, loop.getQueue().size());
    stream.fail(Status.CANCELLED);
    assertEquals(0, loop.getQueue().size());
    assertEquals(List.of("CANCELLED"), observer.failures);
  }

  /**
   * Random producers against a real loop: whatever the hold, the interleaving and the end (complete
   * or fail), messages arrive in order, the stream ends once, and no drain is left scheduled on the
   * loop.
   */
  @Test
  void randomProducers_messagesInOrder_endOnce_noTimerLeft() throws Exception {
    SplittableRandom random = new SplittableRandom(20261207);
    for (int round = 0; round < 300; round++) {
      List<String> written = new CopyOnWriteArrayList<>();
      ReentrantObserver observer = new ReentrantObserver(written::add);
      observer.failures = new CopyOnWriteArrayList<>();
      Duration hold =
          List.of(Duration.ZERO, Duration.ofMillis(1), Duration.ofMinutes(10))
              .get(random.nextInt(3));
      EventStream<String> stream = onLoop(observer, hold);
      if (random.nextBoolean()) {
        loop.run(stream::holdProgress);
      }
      List<String> expected = new ArrayList<>();
      for (int task = 0, tasks = 1 + random.nextInt(5); task < tasks; task++) {
        stream.sendProgress("started " + task);
        expected.add("started " + task);
        for (int spin = random.nextInt(2_000); spin > 0; spin--) {
          Thread.onSpinWait();
        }
        stream.send("finished " + task);
        expected.add("finished " + task);
      }
      boolean fails = random.nextInt(10) == 0;
      if (fails) {
        stream.fail(Status.CANCELLED);
      } else {
        stream.complete("summary");
        expected.add("summary");
        Awaitility.await()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1))
            .atMost(1, TimeUnit.MINUTES)
            .until(() -> observer.completions == 1);
      }
      loop.on(() -> null); // the loop has run what was handed to it
      assertEquals(
          expected.subList(0, written.size()), written, "round " + round + ", hold " + hold);
      if (fails) {
        assertEquals(List.of("CANCELLED"), observer.failures, "round " + round);
      } else {
        assertEquals(expected, written, "round " + round);
      }
      assertEquals(0, loop.getQueue().size(), "round " + round + ": a drain left scheduled");
    }
  }

  /** Calls its onReady handler from inside onNext, as gRPC may with direct executors. */
  private static final class ReentrantObserver extends ServerCallStreamObserver<String> {
    final List<String> messages = new ArrayList<>();
    volatile int completions;
    List<String> failures; // null: a failure is unexpected
    private final Consumer<String> onMessage;
    private Runnable onReady = () -> {};

    ReentrantObserver() {
      this(m -> {});
    }

    ReentrantObserver(Consumer<String> onMessage) {
      this.onMessage = onMessage;
    }

    @Override
    public void onNext(String value) {
      messages.add(value);
      onMessage.accept(value);
      onReady.run();
    }

    @Override
    public void onError(Throwable t) {
      if (failures == null) {
        throw new AssertionError("unexpected onError", t);
      }
      failures.add(Status.fromThrowable(t).getCode().name());
    }

    @Override
    public void onCompleted() {
      completions++;
      if (completions > 1) {
        throw new IllegalStateException("call already closed");
      }
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {
      this.onReady = onReadyHandler;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setOnCloseHandler(Runnable onCloseHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}
  }
}
