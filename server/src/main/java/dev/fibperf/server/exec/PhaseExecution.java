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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One phase's tasks executed on a pool, with at most {@code parallelism} of them in flight. Tasks
 * are handed to the executor one at a time as earlier ones finish, so a cancelled phase has nothing
 * queued, and a consumer that cannot keep up (its {@code gate} closed) stops new tasks from
 * starting instead of piling up results.
 *
 * <p>{@link #start()} returns the phase's future; each task's {@link TaskEvent}s go to the {@code
 * events} consumer as they happen, from worker threads and never under the execution's lock (so the
 * consumer may call {@link #resume()} or {@link #cancel()}). For each task its {@link TaskStart}
 * comes before its {@link TaskResult}, and every event is delivered before the future completes.
 *
 * <p>The execution does not own the executor. Thread-safe.
 */
public final class PhaseExecution {
  private final List<Task> ordered;
  private final Algorithm algorithm;
  private final int parallelism;
  private final Executor executor;
  private final boolean poolCold;
  private final PoolObserver observer;
  private final TaskKernel kernel;
  private final PoolKind poolKind;
  private final Consumer<TaskEvent> events;
  private final CompletableFuture<RunResult> done = new CompletableFuture<>();
  private final BooleanSupplier gate;
  private final TaskWindow window;
  private final TaskContext context;
  private final RunClock clock;
  private final CancellationToken token = new CancellationToken();
  private final TaskResult[] results;

  // Events are delivered and the future completed outside the lock.
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

  // One clock for the whole phase: the monotonic clock, anchored to UTC once at start().
  @GuardedBy("this")
  private Instant anchorTime;

  @GuardedBy("this")
  private long anchorNanos;

  @GuardedBy("this")
  private long firstPickupNanos = Long.MAX_VALUE;

  @GuardedBy("this")
  private long lastFinishNanos = Long.MIN_VALUE;

  @GuardedBy("this")
  private long dispatchCoreWaitNanos;

  private static final long NOT_WAITING = Long.MIN_VALUE;
  private final long waitingSinceNanos;
  // The kernel's cache as the phase began, on threads (null otherwise).
  private volatile dev.fibperf.kernel.CacheStats cacheBefore;

  private PhaseExecution(Builder b) {
    this.algorithm = b.algorithm;
    this.ordered =
        b.explicitOrder == null
            ? b.order.apply(b.tasks, b.algorithm)
            : b.explicitOrder.stream().map(b.tasks::get).toList();
    this.parallelism = b.parallelism;
    this.executor = b.executor;
    this.poolCold = b.poolCold;
    this.observer = b.observer;
    this.kernel = b.kernel;
    this.poolKind = b.poolKind;
    this.events = b.events;
    this.gate = b.gate;
    this.window = b.window;
    this.context = b.context;
    this.clock = b.clock;
    this.results = new TaskResult[b.tasks.size()];
    this.waitingSinceNanos = b.waitingSinceNanos;
  }

  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Starts the first tasks. Call once.
   *
   * @return completes with the phase's figures once every task finished, or fails once no worker is
   *     busy with the phase any more: with a {@link CancellationException} after {@link #cancel()},
   *     a {@link RejectedExecutionException} if the pool shut down, or the exception a task threw
   */
  public CompletableFuture<RunResult> start() {
    cacheBefore = poolKind == PoolKind.THREADS ? algorithm.cacheStats() : null;
    synchronized (this) {
      if (started) {
        throw new IllegalStateException("phase already started");
      }
      started = true;
      anchorTime = clock.now();
      anchorNanos = clock.nanoTime();
    }
    pump();
    return done;
  }

  /** Dispatches more tasks if the gate has reopened. Cheap; call whenever it might have. */
  public void resume() {
    pump();
  }

  /**
   * Stops the phase: queued tasks never start, running ones stop at their next cancellation check,
   * and the future fails with a {@link CancellationException} once no worker is busy with it.
   * Idempotent.
   */
  public void cancel() {
    fail(new CancellationException("phase cancelled"));
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
   * Dispatches what is due and, when the phase is over, completes its future.
   *
   * @param mayKeep whether the caller is a worker that just finished one of this phase's tasks and
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
    // On a parallel phase, the dispatching thread's own wait for a core delays tasks that no other
    // figure shows. A worker that just finished a task counts from its round trip's end (its event
    // delivery delays the dispatch too); any other thread from here.
    boolean timeDispatch = parallelism > 1 && !toDispatch.isEmpty();
    long sinceTaskEnd = timeDispatch ? clock.coreWaitSinceLastMark() : -1;
    Task kept = null;
    // A worker keeps going with the phase's next task when nobody else is queued for a worker: a
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
        taskDone(null, e);
      }
    }
    if (timeDispatch) {
      long dispatching = clock.coreWaitSinceLastMark();
      if (dispatching >= 0) {
        addDispatchCoreWait(dispatching + (mayKeep ? Math.max(0, sinceTaskEnd) : 0));
      }
    }
    if (completed != null) {
      done.complete(completed);
    } else if (failed != null) {
      done.completeExceptionally(failed);
    }
    return kept;
  }

  private synchronized void addDispatchCoreWait(long nanos) {
    dispatchCoreWaitNanos += nanos;
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
      // The event consumer threw (the kernel's own failures are handled in runOne). Fail the phase
      // rather than the pool thread: a process-pool thread stands for one worker for life, and a
      // replacement thread would not know which. This task never reached taskDone, so the phase
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
        done.completeExceptionally(e);
      }
    }
  }

  /** Runs one task and returns the next one this worker should run, or null. */
  private Task runOne(Task task, long submittedNanos) {
    long pickedUp = clock.nanoTime();
    // Since this thread's previous reading: its wait for a core when woken for this one. A kernel
    // that computes on this thread measures it with its own first reading (two reads a task, not
    // four: this is the per-call path).
    boolean leadInFromKernel = kernel.measuresLeadIn();
    long wakeupCoreWait = leadInFromKernel ? -1 : clock.coreWaitSinceLastMark();
    if (token.isCancelled()) {
      taskDone(null, null);
      return null;
    }
    Thread worker = Thread.currentThread();
    Instant startTime = pickedUp(pickedUp);
    // The worker is named when the task reaches it: on the cluster pool, a peer's worker, so
    // that TaskStarted and TaskFinished name the same one.
    Consumer<String> startedOn =
        name -> events.accept(new TaskStart(task.index(), task.n(), name, startTime));
    TaskKernel.Result done;
    long roundTrip;
    try {
      long t0 = clock.nanoTime();
      done = window.around(task, () -> kernel.compute(algorithm, task, token, context, startedOn));
      roundTrip = clock.nanoTime() - t0;
    } catch (CancellationException e) {
      taskDone(null, null);
      return null;
    } catch (RuntimeException | Error e) {
      taskDone(null, e);
      return null;
    }
    long finished = clock.nanoTime();
    TaskTiming timing = done.timing();
    long handoffCoreWait;
    if (leadInFromKernel) {
      // The computation's readings bracket the task on this thread; a wait after its last one
      // counts toward this thread's next reading (its next task's lead-in, or the dispatch).
      wakeupCoreWait = timing.leadInCoreWaitNanos();
      handoffCoreWait = wakeupCoreWait < 0 ? -1 : 0;
    } else {
      // The pool thread's wait for a core over the round trip, beyond the computation's own (the
      // same thread's, when it computed on it): preemption during the hand-off, not transport.
      long roundTripCoreWait = clock.coreWaitSinceLastMark();
      handoffCoreWait =
          roundTripCoreWait < 0
              ? -1
              : Math.max(
                  0,
                  roundTripCoreWait
                      - (done.onCallingThread() && timing.coreWaitNanos() > 0
                          ? timing.coreWaitNanos()
                          : 0));
    }
    Duration duration = Duration.ofNanos(timing.elapsedNanos());
    observer.taskFinished(algorithm, duration);
    long remoteQueue = Math.max(0, done.remoteQueueNanos());
    TaskResult result =
        new TaskResult(
            task.index(),
            task.n(),
            done.value(),
            duration,
            timing.cpuNanos() < 0 ? null : Duration.ofNanos(timing.cpuNanos()),
            done.worker() == null ? worker.getName() : done.worker(),
            startTime,
            // Waiting for a worker here, and where the task was sent (a busy peer).
            Duration.ofNanos(Math.max(0, pickedUp - submittedNanos) + remoteQueue),
            // Beyond computing, queueing and waiting for a core: serialisation and IPC for worker
            // processes, the network (and any failed attempt) on the cluster pool, ~0 on threads.
            Duration.ofNanos(
                Math.max(
                    0,
                    roundTrip
                        - timing.elapsedNanos()
                        - remoteQueue
                        - Math.max(0, handoffCoreWait))),
            done.failedAttempts(),
            timing.coreWaitNanos() < 0 ? null : Duration.ofNanos(timing.coreWaitNanos()),
            wakeupCoreWait < 0 ? null : Duration.ofNanos(wakeupCoreWait),
            handoffCoreWait < 0 ? null : Duration.ofNanos(handoffCoreWait));
    events.accept(result);
    return taskDone(result, null, finished, true);
  }

  /** Notes a pick-up and returns its time in UTC on the run's clock. */
  private synchronized Instant pickedUp(long nanos) {
    firstPickupNanos = Math.min(firstPickupNanos, nanos);
    return anchorTime.plusNanos(nanos - anchorNanos);
  }

  private void taskDone(TaskResult result, Throwable error) {
    Task kept = taskDone(result, error, 0, false);
    assert kept == null;
  }

  private Task taskDone(TaskResult result, Throwable error, long finishedNanos, boolean mayKeep) {
    synchronized (this) {
      inFlight--;
      if (result != null) {
        results[result.index()] = result;
        lastFinishNanos = Math.max(lastFinishNanos, finishedNanos);
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
    List<TaskResult> inInputOrder = Arrays.asList(results.clone());
    // With no task, the phase starts and ends at once.
    long first = inInputOrder.isEmpty() ? anchorNanos : firstPickupNanos;
    long last = inInputOrder.isEmpty() ? anchorNanos : lastFinishNanos;
    Duration taskTime = Duration.ZERO;
    Duration cpuTime = Duration.ZERO;
    long handoffNanos = 0;
    boolean coreWaitReported = !inInputOrder.isEmpty();
    Set<String> workers = new HashSet<>();
    for (TaskResult r : inInputOrder) {
      coreWaitReported &= r.coreWait() != null;
      taskTime = taskTime.plus(r.duration());
      cpuTime = cpuTime == null || r.cpuTime() == null ? null : cpuTime.plus(r.cpuTime());
      handoffNanos += r.handoff().toNanos();
      workers.add(r.worker());
    }
    Instant startTime = anchorTime.plusNanos(first - anchorNanos);
    Duration wall = Duration.ofNanos(last - first);
    return new RunResult(
        inInputOrder,
        startTime,
        startTime.plus(wall),
        wall,
        taskTime,
        cpuTime,
        workers.size(),
        parallelism,
        poolCold,
        algorithm,
        poolKind,
        Duration.ofNanos(
            waitingSinceNanos == NOT_WAITING ? 0 : Math.max(0, anchorNanos - waitingSinceNanos)),
        Duration.ofNanos(first - anchorNanos),
        Duration.ofNanos(inInputOrder.isEmpty() ? 0 : handoffNanos / inInputOrder.size()),
        Duration.ofNanos(dispatchCoreWaitNanos),
        coreWaitReported
            ? CoreWait.Source.SCHEDSTAT
            : cpuTime != null ? CoreWait.Source.ELAPSED_MINUS_CPU : CoreWait.Source.NONE,
        cacheBefore == null ? null : KernelCacheUse.between(cacheBefore, algorithm.cacheStats()));
  }

  /** Builder for {@link PhaseExecution}; every setter without a default is required. */
  public static final class Builder {
    private List<Task> tasks;
    private Algorithm algorithm;
    private int parallelism = 1;
    private DispatchOrder order = DispatchOrder.INPUT;
    private List<Integer> explicitOrder;
    private Executor executor;
    private boolean poolCold;
    private PoolObserver observer = PoolObserver.NONE;
    private TaskKernel kernel = TaskKernel.IN_PROCESS;
    private PoolKind poolKind = PoolKind.THREADS;
    private Consumer<TaskEvent> events = event -> {};
    private BooleanSupplier gate = () -> true;
    private TaskWindow window = TaskWindow.NONE;
    private TaskContext context = TaskContext.NONE;
    private RunClock clock = RunClock.SYSTEM;
    private long waitingSinceNanos = NOT_WAITING;

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
      this.explicitOrder = null;
      return this;
    }

    /** Dispatches the tasks in this order: a permutation of their indices. */
    public Builder order(List<Integer> taskIndices) {
      this.explicitOrder = List.copyOf(taskIndices);
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

    /** Told of each task's start and finish (default: nobody). */
    public Builder events(Consumer<TaskEvent> events) {
      this.events = events;
      return this;
    }

    /**
     * Consulted before each dispatch: while it returns false no new task starts. Called under the
     * run's lock, so it must not block or call back into the execution.
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

    /**
     * When, on the phase's clock, the phase began waiting for its pool; the wait until {@link
     * #start()} is reported as pool start-up. Default: no wait.
     */
    public Builder waitingSince(long nanos) {
      this.waitingSinceNanos = nanos;
      return this;
    }

    public PhaseExecution build() {
      Objects.requireNonNull(tasks, "tasks");
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(executor, "pool");
      Objects.requireNonNull(events, "events");
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
      if (explicitOrder != null
          && !new HashSet<>(explicitOrder).equals(new HashSet<>(indices(tasks.size())))) {
        throw new IllegalArgumentException(
            "order " + explicitOrder + " is not a permutation of " + tasks.size() + " tasks");
      }
      return new PhaseExecution(this);
    }

    private static List<Integer> indices(int n) {
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.add(i);
      }
      return all;
    }
  }
}
