package dev.fibperf.bench;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.DispatchOrder;
import dev.fibperf.server.exec.PhaseExecution;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.WorkerPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a task pays to go through the worker pool: many tiny tasks (fib(1), iterative) through the
 * warm pool, per task; and one task on a pool created for it (the cold first call) against one on a
 * warm pool.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DispatchBenchmark {
  static final int TASKS = 1000;

  /** A pool created once and reused, as the server's is. */
  @State(Scope.Benchmark)
  public static class WarmPool {
    WorkerPool pool;

    @Setup(Level.Trial)
    public void start() {
      pool = new WorkerPool(2);
      pool.acquire();
    }

    @TearDown(Level.Trial)
    public void stop() {
      pool.close();
    }
  }

  /** A pool created for every invocation: what the first call after start-up pays. */
  @State(Scope.Thread)
  public static class ColdPool {
    WorkerPool pool;

    @Setup(Level.Invocation)
    public void start() {
      pool = new WorkerPool(2);
    }

    @TearDown(Level.Invocation)
    public void stop() {
      pool.close();
    }
  }

  private static final List<Task> TINY = tasks(TASKS);
  private static final List<Task> ONE = tasks(1);

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public RunResult warmPool_perTinyTask_parallel2(WarmPool warm) throws Exception {
    return run(warm.pool, TINY, 2);
  }

  @Benchmark
  public RunResult warmPool_oneTask(WarmPool warm) throws Exception {
    return run(warm.pool, ONE, 1);
  }

  @Benchmark
  public RunResult coldPool_oneTask(ColdPool cold) throws Exception {
    return run(cold.pool, ONE, 1);
  }

  static RunResult run(WorkerPool pool, List<Task> tasks, int parallelism) throws Exception {
    return PhaseExecution.newBuilder()
        .tasks(tasks)
        .algorithm(Algorithm.ITERATIVE)
        .parallelism(parallelism)
        .order(DispatchOrder.LARGEST_FIRST)
        .pool(pool.acquire())
        .build()
        .start()
        .get();
  }

  private static List<Task> tasks(int count) {
    List<Task> tasks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      tasks.add(new Task(i, 1));
    }
    return tasks;
  }
}
