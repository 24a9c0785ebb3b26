package dev.fibperf.server.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.compute.Algorithm;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunTest {
  private final WorkerPool pool = new WorkerPool(2);

  @AfterEach
  void closePool() {
    pool.close();
  }

  /** Records every event of a run. */
  static class Recorder implements RunListener {
    final List<TaskStart> started = new CopyOnWriteArrayList<>();
    final List<TaskResult> finished = new CopyOnWriteArrayList<>();
    final CompletableFuture<RunResult> done = new CompletableFuture<>();
    final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    volatile CountDownLatch firstStart = new CountDownLatch(1);

    @Override
    public void onTaskStarted(TaskStart start) {
      started.add(start);
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      firstStart.countDown();
    }

    @Override
    public void onTaskFinished(TaskResult result) {
      inFlight.decrementAndGet();
      finished.add(result);
    }

    @Override
    public void onCompleted(RunResult result) {
      done.complete(result);
    }

    @Override
    public void onFailed(Throwable cause) {
      done.completeExceptionally(cause);
    }
  }

  private static List<Task> tasks(int... nums) {
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < nums.length; i++) {
      tasks.add(new Task(i, nums[i]));
    }
    return tasks;
  }

  @Test
  void serial_runsOneAtATimeInInputOrder_andSummarisesInInputOrder() throws Exception {
    Recorder recorder = new Recorder();
    Run run =
        Run.newBuilder()
            .tasks(tasks(20, 25, 10, 22))
            .algorithm(Algorithm.NAIVE)
            .parallelism(1)
            .pool(pool.acquire())
            .listener(recorder)
            .build();

    run.start();
    RunResult result = recorder.done.get(10, TimeUnit.SECONDS);

    assertEquals(List.of(0, 1, 2, 3), recorder.started.stream().map(TaskStart::index).toList());
    assertEquals(1, recorder.maxInFlight.get());
    assertEquals(List.of(0, 1, 2, 3), result.results().stream().map(TaskResult::index).toList());
    assertEquals(BigInteger.valueOf(75_025), result.results().get(1).value());
    assertTrue(result.poolCold(), "first run creates the pool");
    assertEquals(1, result.parallelism());
    assertEquals(1, result.workersUsed(), "a serial run keeps its worker when nobody waits");
  }

  @Test
  void listenerThatThrows_failsTheRunOnce_andThePoolKeepsItsThreads() throws Exception {
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    RuntimeException boom = new IllegalStateException("listener bug");
    Recorder throwing =
        new Recorder() {
          @Override
          public void onTaskFinished(TaskResult result) {
            threads.add(Thread.currentThread().getName());
            throw boom;
          }

          @Override
          public void onFailed(Throwable cause) {
            failures.add(cause);
            super.onFailed(cause);
          }
        };
    Run.newBuilder()
        .tasks(tasks(10, 11, 12))
        .algorithm(Algorithm.NAIVE)
        .parallelism(1)
        .pool(pool.acquire())
        .listener(throwing)
        .build()
        .start();
    java.util.concurrent.ExecutionException failed =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.ExecutionException.class,
            () -> throwing.done.get(10, TimeUnit.SECONDS));

    Recorder after = new Recorder();
    Run.newBuilder()
        .tasks(tasks(15, 16))
        .algorithm(Algorithm.NAIVE)
        .parallelism(2)
        .pool(pool.acquire())
        .listener(after)
        .build()
        .start();
    after.done.get(10, TimeUnit.SECONDS);

    assertEquals(boom, failed.getCause());
    assertEquals(List.of(boom), failures, "one terminal call");
    assertEquals(1, threads.size(), "no task after the failure");
    assertTrue(
        Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().equals("fibperf-worker-2")),
        "a pool thread died and was replaced");
  }

  @Test
  void largestFirst_startsTasksInDecreasingCost() throws Exception {
    Recorder recorder = new Recorder();
    pool.acquire(); // warm
    Run run =
        Run.newBuilder()
            .tasks(tasks(22, 27, 20, 28, 25))
            .algorithm(Algorithm.NAIVE)
            .parallelism(1)
            .order(DispatchOrder.LARGEST_FIRST)
            .pool(pool.acquire())
            .listener(recorder)
            .build();

    run.start();
    RunResult result = recorder.done.get(10, TimeUnit.SECONDS);

    assertEquals(List.of(28, 27, 25, 22, 20), recorder.started.stream().map(TaskStart::n).toList());
    assertFalse(result.poolCold(), "pool was warm");
    assertEquals(BigInteger.valueOf(317_811), result.results().get(3).value());
  }

  @Test
  void parallel_neverExceedsParallelism_andUsesEveryWorker() throws Exception {
    Recorder recorder = new Recorder();
    Run run =
        Run.newBuilder()
            .tasks(tasks(30, 30, 30, 30, 30, 30))
            .algorithm(Algorithm.NAIVE)
            .parallelism(2)
            .order(DispatchOrder.LARGEST_FIRST)
            .pool(pool.acquire())
            .listener(recorder)
            .build();

    run.start();
    RunResult result = recorder.done.get(10, TimeUnit.SECONDS);

    assertEquals(2, recorder.maxInFlight.get());
    assertEquals(2, result.workersUsed());
    assertEquals(6, result.results().size());
  }

  @Test
  void cancel_stopsRunningTasks_andQueuedTasksNeverStart() throws Exception {
    Recorder recorder = new Recorder();
    Run run =
        Run.newBuilder()
            .tasks(tasks(55, 55, 55, 55, 55, 55))
            .algorithm(Algorithm.NAIVE)
            .parallelism(2)
            .pool(pool.acquire())
            .listener(recorder)
            .build();
    run.start();
    recorder.firstStart.await(5, TimeUnit.SECONDS);

    run.cancel();
    // fib(55) takes minutes: ending at all shows the running tasks stopped at their checks.
    Throwable failure = recorder.done.handle((ok, error) -> error).get(10, TimeUnit.SECONDS);

    assertInstanceOf(java.util.concurrent.CancellationException.class, failure);
    assertTrue(recorder.started.size() <= 2, "queued tasks started: " + recorder.started.size());
    assertTrue(recorder.finished.isEmpty());
    // Both workers are free again: a new run gets them at once.
    Recorder next = new Recorder();
    Run.newBuilder()
        .tasks(tasks(10, 10))
        .algorithm(Algorithm.NAIVE)
        .parallelism(2)
        .pool(pool.acquire())
        .listener(next)
        .build()
        .start();
    assertEquals(2, next.done.get(1, TimeUnit.SECONDS).results().size());
  }

  @Test
  void closedGate_holdsBackNewTasks_untilResumed() throws Exception {
    Recorder recorder = new Recorder();
    AtomicBoolean open = new AtomicBoolean(false);
    Run run =
        Run.newBuilder()
            .tasks(tasks(5, 6, 7))
            .algorithm(Algorithm.ITERATIVE)
            .parallelism(2)
            .pool(pool.acquire())
            .listener(recorder)
            .gate(open::get)
            .build();

    run.start();
    assertFalse(recorder.done.isDone());
    assertTrue(recorder.started.isEmpty(), "started while the gate was closed");
    open.set(true);
    run.resume();

    assertEquals(3, recorder.done.get(5, TimeUnit.SECONDS).results().size());
  }

  @Test
  void failingTask_failsTheRunWithItsException() throws Exception {
    Recorder recorder = new Recorder();
    Run run =
        Run.newBuilder()
            .tasks(tasks(10, 10))
            .algorithm(Algorithm.NAIVE)
            .parallelism(1)
            .pool(pool.acquire())
            .listener(recorder)
            .window(
                (task, body) -> {
                  throw new IllegalStateException("boom on task " + task.index());
                })
            .build();

    run.start();
    Throwable failure = recorder.done.handle((ok, error) -> error).get(5, TimeUnit.SECONDS);

    assertInstanceOf(IllegalStateException.class, failure);
    assertEquals("boom on task 0", failure.getMessage());
  }

  @Test
  void closedPool_failsTheRunWithRejection() throws Exception {
    Recorder recorder = new Recorder();
    TaskPool.Lease lease = pool.acquire();
    pool.close();
    Run.newBuilder()
        .tasks(tasks(10))
        .algorithm(Algorithm.NAIVE)
        .pool(lease)
        .listener(recorder)
        .build()
        .start();

    Throwable failure = recorder.done.handle((ok, error) -> error).get(5, TimeUnit.SECONDS);

    assertInstanceOf(java.util.concurrent.RejectedExecutionException.class, failure);
  }
}
