package dev.fibperf.server.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.compute.Algorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PhaseExecutionTest {
  private final WorkerPool pool = new WorkerPool(2);

  @AfterEach
  void closePool() {
    pool.close();
  }

  /** Records every event of a phase, and its future once started. */
  static class Recorder implements Consumer<TaskEvent> {
    final List<TaskStart> started = new CopyOnWriteArrayList<>();
    final List<TaskResult> finished = new CopyOnWriteArrayList<>();
    volatile CompletableFuture<RunResult> done;
    final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    volatile CountDownLatch firstStart = new CountDownLatch(1);

    @Override
    public void accept(TaskEvent event) {
      if (event instanceof TaskStart start) {
        started.add(start);
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        firstStart.countDown();
      } else if (event instanceof TaskResult result) {
        onTaskFinished(result);
      }
    }

    void onTaskFinished(TaskResult result) {
      inFlight.decrementAndGet();
      finished.add(result);
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
    PhaseExecution run =
        PhaseExecution.newBuilder()
            .tasks(tasks(20, 25, 10, 22))
            .algorithm(Algorithm.NAIVE)
            .parallelism(1)
            .pool(pool.acquire())
            .events(recorder)
            .build();

    recorder.done = run.start();
    RunResult result = recorder.done.get(10, TimeUnit.SECONDS);

    assertEquals(List.of(0, 1, 2, 3), recorder.started.stream().map(TaskStart::index).toList());
    assertEquals(1, recorder.maxInFlight.get());
    assertEquals(List.of(0, 1, 2, 3), result.results().stream().map(TaskResult::index).toList());
    assertEquals("75025", result.results().get(1).value());
    assertTrue(result.poolCold(), "first run creates the pool");
    assertEquals(1, result.parallelism());
    assertEquals(1, result.workersUsed(), "a serial run keeps its worker when nobody waits");
  }

  @Test
  void eventConsumerThatThrows_failsThePhase_andThePoolKeepsItsThreads() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    RuntimeException boom = new IllegalStateException("consumer bug");
    Recorder throwing =
        new Recorder() {
          @Override
          void onTaskFinished(TaskResult result) {
            threads.add(Thread.currentThread().getName());
            throw boom;
          }
        };
    throwing.done =
        PhaseExecution.newBuilder()
            .tasks(tasks(10, 11, 12))
            .algorithm(Algorithm.NAIVE)
            .parallelism(1)
            .pool(pool.acquire())
            .events(throwing)
            .build()
            .start();
    java.util.concurrent.ExecutionException failed =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.ExecutionException.class,
            () -> throwing.done.get(10, TimeUnit.SECONDS));

    Recorder after = new Recorder();
    after.done =
        PhaseExecution.newBuilder()
            .tasks(tasks(15, 16))
            .algorithm(Algorithm.NAIVE)
            .parallelism(2)
            .pool(pool.acquire())
            .events(after)
            .build()
            .start();
    after.done.get(10, TimeUnit.SECONDS);

    assertEquals(boom, failed.getCause());
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
    PhaseExecution run =
        PhaseExecution.newBuilder()
            .tasks(tasks(22, 27, 20, 28, 25))
            .algorithm(Algorithm.NAIVE)
            .parallelism(1)
            .order(DispatchOrder.LARGEST_FIRST)
            .pool(pool.acquire())
            .events(recorder)
            .build();

    recorder.done = run.start();
    RunResult result = recorder.done.get(10, TimeUnit.SECONDS);

    assertEquals(List.of(28, 27, 25, 22, 20), recorder.started.stream().map(TaskStart::n).toList());
    assertFalse(result.poolCold(), "pool was warm");
    assertEquals("317811", result.results().get(3).value());
  }

  @Test
  void parallel_neverExceedsParallelism_andUsesEveryWorker() throws Exception {
    Recorder recorder = new Recorder();
    PhaseExecution run =
        PhaseExecution.newBuilder()
            .tasks(tasks(30, 30, 30, 30, 30, 30))
            .algorithm(Algorithm.NAIVE)
            .parallelism(2)
            .order(DispatchOrder.LARGEST_FIRST)
            .pool(pool.acquire())
            .events(recorder)
            .build();

    recorder.done = run.start();
    RunResult result = recorder.done.get(10, TimeUnit.SECONDS);

    assertEquals(2, recorder.maxInFlight.get());
    assertEquals(2, result.workersUsed());
    assertEquals(6, result.results().size());
  }

  @Test
  void cancel_stopsRunningTasks_andQueuedTasksNeverStart() throws Exception {
    Recorder recorder = new Recorder();
    PhaseExecution run =
        PhaseExecution.newBuilder()
            .tasks(tasks(55, 55, 55, 55, 55, 55))
            .algorithm(Algorithm.NAIVE)
            .parallelism(2)
            .pool(pool.acquire())
            .events(recorder)
            .build();
    recorder.done = run.start();
    recorder.firstStart.await(5, TimeUnit.SECONDS);

    run.cancel();
    // fib(55) takes minutes: ending at all shows the running tasks stopped at their checks.
    Throwable failure = recorder.done.handle((ok, error) -> error).get(10, TimeUnit.SECONDS);

    assertInstanceOf(java.util.concurrent.CancellationException.class, failure);
    assertTrue(recorder.started.size() <= 2, "queued tasks started: " + recorder.started.size());
    assertTrue(recorder.finished.isEmpty());
    // Both workers are free again: a new run gets them at once.
    Recorder next = new Recorder();
    next.done =
        PhaseExecution.newBuilder()
            .tasks(tasks(10, 10))
            .algorithm(Algorithm.NAIVE)
            .parallelism(2)
            .pool(pool.acquire())
            .events(next)
            .build()
            .start();
    assertEquals(2, next.done.get(1, TimeUnit.SECONDS).results().size());
  }

  @Test
  void closedGate_holdsBackNewTasks_untilResumed() throws Exception {
    Recorder recorder = new Recorder();
    AtomicBoolean open = new AtomicBoolean(false);
    PhaseExecution run =
        PhaseExecution.newBuilder()
            .tasks(tasks(5, 6, 7))
            .algorithm(Algorithm.ITERATIVE)
            .parallelism(2)
            .pool(pool.acquire())
            .events(recorder)
            .gate(open::get)
            .build();

    recorder.done = run.start();
    assertFalse(recorder.done.isDone());
    assertTrue(recorder.started.isEmpty(), "started while the gate was closed");
    open.set(true);
    run.resume();

    assertEquals(3, recorder.done.get(5, TimeUnit.SECONDS).results().size());
  }

  @Test
  void failingTask_failsTheRunWithItsException() throws Exception {
    Recorder recorder = new Recorder();
    PhaseExecution run =
        PhaseExecution.newBuilder()
            .tasks(tasks(10, 10))
            .algorithm(Algorithm.NAIVE)
            .parallelism(1)
            .pool(pool.acquire())
            .events(recorder)
            .window(
                (task, compute) -> {
                  throw new IllegalStateException("boom on task " + task.index());
                })
            .build();

    recorder.done = run.start();
    Throwable failure = recorder.done.handle((ok, error) -> error).get(5, TimeUnit.SECONDS);

    assertInstanceOf(IllegalStateException.class, failure);
    assertEquals("boom on task 0", failure.getMessage());
  }

  @Test
  void closedPool_failsTheRunWithRejection() throws Exception {
    Recorder recorder = new Recorder();
    TaskPool.Lease lease = pool.acquire();
    pool.close();
    recorder.done =
        PhaseExecution.newBuilder()
            .tasks(tasks(10))
            .algorithm(Algorithm.NAIVE)
            .pool(lease)
            .events(recorder)
            .build()
            .start();

    Throwable failure = recorder.done.handle((ok, error) -> error).get(5, TimeUnit.SECONDS);

    assertInstanceOf(java.util.concurrent.RejectedExecutionException.class, failure);
  }
}
