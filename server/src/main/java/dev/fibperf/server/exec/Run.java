package dev.fibperf.server.exec;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.BooleanSupplier;

/**
 * One execution of a list of tasks on a shared executor, with at most {@code parallelism} of them
 * in flight. Tasks are handed to the executor one at a time as earlier ones finish, so a cancelled
 * run has nothing queued, and a consumer that cannot keep up (its {@code gate} closed) stops new
 * tasks from starting instead of piling up results.
 *
 * <p>The run does not own the executor. Thread-safe.
 */
public final class Run {
  private final List<Task> ordered;
  private final Algorithm algorithm;
  private final int parallelism;
  private final Executor executor;
  private final boolean poolCold;
  private final PoolObserver observer;
  private final TaskKernel kernel;
  private final PoolKind poolKind;
  private final RunListener listener;
  private final BooleanSupplier gate;
  private final TaskWindow window;
  private final TaskContext context;
  private final RunClock clock;
  private final CancellationToken token = new CancellationToken();
  private final TaskResult[] results;

  // Listener calls happen outside the lock (see RunListener).
  @GuardedBy("this")
  private int nextTask;

  @GuardedBy("this")
  private int inFlight;

  @GuardedBy("this")
  private boolean started;

  @GuardedBy("this")
  private boolean terminated;

  @GuardedBy("this")
  private Throwable failure;

  @GuardedBy("this")
  private Instant startTime;

  @GuardedBy("this")
  private long startNanos;

  @GuardedBy("this")
  private long handOffNanos;

  private Run(Builder b) {
    this.algorithm = b.algorithm;
    this.ordered = b.order.apply(b.tasks, b.algorithm);
    this.parallelism = b.parallelism;
    this.executor = b.executor;
    this.poolCold = b.poolCold;
    this.observer = b.observer;
    this.kernel = b.kernel;
    this.poolKind = b.poolKind;
    this.listener = b.listener;
    this.gate = b.gate;
    this.window = b.window;
    this.context = b.context;
    this.clock = b.clock;
    this.results = new TaskResult[b.tasks.size()];
  }

  public static Builder newBuilder() {
    return new Builder();
  }

  /** Starts the first tasks. Call once. */
  public void start() {
    synchronized (this) {
      if (started) {
        throw new IllegalStateException("run already started");
      }
      started = true;
      startTime = clock.now();
      startNanos = clock.nanoTime();
    }
    pump();
  }

  /** Dispatches more tasks if the gate has reopened. Cheap; call whenever it might have. */
  public void resume() {
    pump();
  }

  /**
   * Stops the run: queued tasks never start, running ones stop at their next cancellation check,
   * and the listener gets {@link RunListener#onFailed} with a {@link CancellationException} once no
   * worker is busy with this run. Idempotent.
   */
  public void cancel() {
    fail(new CancellationException("run cancelled"));
  }

  private void fail(Throwable cause) {
    synchronized (this) {
      if (failure == null) {
        failure = cause;
      }
    }
    token.cancel();
    pump();
  }

  private void pump() {
    Task kept = pump(false);
    assert kept == null;
  }

  /**
   * Dispatches what is due and, when the run is over, tells the listener.
   *
   * @param mayKeep whether the caller is a worker that just finished one of this run's tasks and
   *     can take the next one itself
   * @return the task the calling worker should run next, or null
   */
  private Task pump(boolean mayKeep) {
    List<Task> toDispatch = new ArrayList<>();
    RunResult completed = null;
    Throwable failed = null;
    synchronized (this) {
      if (!started || terminated) {
        return null;
      }
      while (failure == null
          && inFlight < parallelism
          && nextTask < ordered.size()
          && gate.getAsBoolean()) {
        toDispatch.add(ordered.get(nextTask++));
        inFlight++;
      }
      if (inFlight == 0 && (failure != null || nextTask == ordered.size())) {
        terminated = true;
        if (failure != null) {
          failed = failure;
        } else {
          completed = summarise();
        }
      }
    }
    Task kept = null;
    // A worker keeps going with the run's next task when nobody else is queued for a worker: a
    // serial run then stays on one thread, and no hand-off is paid. Otherwise it queues like any
    // other task, so concurrent runs still take turns.
    if (mayKeep && !toDispatch.isEmpty() && nobodyWaiting()) {
      kept = toDispatch.remove(0);
    }
    for (Task task : toDispatch) {
      long submitted = clock.nanoTime();
      try {
        executor.execute(() -> runTask(task, submitted));
      } catch (RejectedExecutionException e) {
        taskDone(null, e, 0);
      }
    }
    if (completed != null) {
      listener.onCompleted(completed);
    } else if (failed != null) {
      listener.onFailed(failed);
    }
    return kept;
  }

  private boolean nobodyWaiting() {
    return executor instanceof ThreadPoolExecutor pool && pool.getQueue().isEmpty();
  }

  private void runTask(Task first, long firstSubmittedNanos) {
    Task task = first;
    long submitted = firstSubmittedNanos;
    try {
      while (task != null) {
        task = runOne(task, submitted);
        submitted = clock.nanoTime();
      }
    } catch (RuntimeException e) {
      // A listener threw (the kernel's own failures are handled in runOne). Fail the run rather
      // than the pool thread: a process-pool thread stands for one worker for life, and a
      // replacement thread would not know which. This task never reached taskDone, so the run
      // cannot end the usual way: end it here, once.
      boolean endHere;
      synchronized (this) {
        if (failure == null) {
          failure = e;
        }
        endHere = !terminated;
        terminated = true;
      }
      token.cancel();
      if (endHere) {
        listener.onFailed(e);
      }
    }
  }

  /** Runs one task and returns the next one this worker should run, or null. */
  private Task runOne(Task task, long submittedNanos) {
    long pickedUp = clock.nanoTime();
    if (token.isCancelled()) {
      taskDone(null, null, 0);
      return null;
    }
    Thread worker = Thread.currentThread();
    Instant startTime = clock.now();
    listener.onTaskStarted(new TaskStart(task.index(), task.n(), worker.getName(), startTime));
    TaskKernel.Result[] computed = new TaskKernel.Result[1];
    long roundTrip;
    try {
      long t0 = clock.nanoTime();
      window.around(task, () -> computed[0] = kernel.compute(algorithm, task, token, context));
      roundTrip = clock.nanoTime() - t0;
    } catch (CancellationException e) {
      taskDone(null, null, 0);
      return null;
    } catch (RuntimeException | Error e) {
      taskDone(null, e, 0);
      return null;
    }
    Duration duration = Duration.ofNanos(computed[0].computeNanos());
    observer.taskFinished(algorithm, duration);
    TaskResult result =
        new TaskResult(
            task.index(), task.n(), computed[0].value(), duration, worker.getName(), startTime);
    listener.onTaskFinished(result);
    // What the task paid beyond computing: the queue hand-off, plus IPC for worker processes.
    long handOff =
        (pickedUp - submittedNanos) + Math.max(0, roundTrip - computed[0].computeNanos());
    return taskDone(result, null, handOff, true);
  }

  private void taskDone(TaskResult result, Throwable error, long handOff) {
    Task kept = taskDone(result, error, handOff, false);
    assert kept == null;
  }

  private Task taskDone(TaskResult result, Throwable error, long handOff, boolean mayKeep) {
    synchronized (this) {
      inFlight--;
      handOffNanos += handOff;
      if (result != null) {
        results[result.index()] = result;
      }
      if (error != null && failure == null) {
        failure = error;
      }
    }
    if (error != null) {
      token.cancel();
    }
    return pump(mayKeep);
  }

  @GuardedBy("this")
  private RunResult summarise() {
    Instant endTime = clock.now();
    Duration wall = Duration.ofNanos(clock.nanoTime() - startNanos);
    List<TaskResult> inInputOrder = Arrays.asList(results.clone());
    Duration taskTime = Duration.ZERO;
    Set<String> workers = new HashSet<>();
    for (TaskResult r : inInputOrder) {
      taskTime = taskTime.plus(r.duration());
      workers.add(r.worker());
    }
    return new RunResult(
        inInputOrder,
        startTime,
        endTime,
        wall,
        taskTime,
        workers.size(),
        parallelism,
        poolCold,
        algorithm,
        poolKind,
        Duration.ofNanos(inInputOrder.isEmpty() ? 0 : handOffNanos / inInputOrder.size()));
  }

  /** Builder for {@link Run}; every setter without a default is required. */
  public static final class Builder {
    private List<Task> tasks;
    private Algorithm algorithm;
    private int parallelism = 1;
    private DispatchOrder order = DispatchOrder.INPUT;
    private Executor executor;
    private boolean poolCold;
    private PoolObserver observer = PoolObserver.NONE;
    private TaskKernel kernel = TaskKernel.IN_PROCESS;
    private PoolKind poolKind = PoolKind.THREADS;
    private RunListener listener;
    private BooleanSupplier gate = () -> true;
    private TaskWindow window = TaskWindow.NONE;
    private TaskContext context = TaskContext.NONE;
    private RunClock clock = RunClock.SYSTEM;

    private Builder() {}

    public Builder tasks(List<Task> tasks) {
      this.tasks = List.copyOf(tasks);
      return this;
    }

    public Builder algorithm(Algorithm algorithm) {
      this.algorithm = algorithm;
      return this;
    }

    /** Most tasks in flight at once; 1 runs them one after another. */
    public Builder parallelism(int parallelism) {
      this.parallelism = parallelism;
      return this;
    }

    public Builder order(DispatchOrder order) {
      this.order = order;
      return this;
    }

    /** The pool's executor and whether acquiring it created the pool. */
    public Builder pool(TaskPool.Lease lease) {
      this.executor = lease.executor();
      this.poolCold = lease.cold();
      this.observer = lease.observer();
      this.kernel = lease.kernel();
      this.poolKind = lease.kind();
      return this;
    }

    public Builder listener(RunListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Consulted before each dispatch: while it returns false no new task starts. Called under the
     * run's lock, so it must not block or call back into the run.
     */
    public Builder gate(BooleanSupplier gate) {
      this.gate = gate;
      return this;
    }

    public Builder window(TaskWindow window) {
      this.window = window;
      return this;
    }

    /** What the kernel is told about each task (e.g. the worker-process profile session). */
    public Builder context(TaskContext context) {
      this.context = context;
      return this;
    }

    /** Where the run reads time (default: the JVM's clocks). */
    public Builder clock(RunClock clock) {
      this.clock = clock;
      return this;
    }

    public Run build() {
      Objects.requireNonNull(tasks, "tasks");
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(executor, "pool");
      Objects.requireNonNull(listener, "listener");
      Objects.requireNonNull(order, "order");
      Objects.requireNonNull(gate, "gate");
      Objects.requireNonNull(window, "window");
      Objects.requireNonNull(context, "context");
      Objects.requireNonNull(clock, "clock");
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism=" + parallelism + " must be at least 1");
      }
      for (int i = 0; i < tasks.size(); i++) {
        if (tasks.get(i).index() != i) {
          throw new IllegalArgumentException("tasks[" + i + "].index=" + tasks.get(i).index());
        }
      }
      return new Run(this);
    }
  }
}
