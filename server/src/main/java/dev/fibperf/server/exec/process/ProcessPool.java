package dev.fibperf.server.exec.process;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.proto.worker.v1.WorkerProfile;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.PoolObserver;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.exec.TaskKernel;
import dev.fibperf.server.exec.TaskPool;
import dev.fibperf.server.profile.Engine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool of worker JVMs, started together on first use and kept warm. Each worker has a pool thread
 * that stands for it: a run hands tasks to the threads as usual, and the thread ships each task to
 * its worker over a pipe. A worker that dies is replaced at once, off the request path.
 *
 * <p>Owns the workers and the threads: {@link #close()} ends both. Workers also exit on their own
 * when the server dies (their stdin closes).
 */
public final class ProcessPool implements TaskPool {
  /** The {@code name} tag of this pool's executor meters. */
  public static final String METRICS_NAME = "fibperf.process-pool";

  private static final String WORKER_MAIN = "dev.fibperf.server.worker.WorkerMain";

  private static final AtomicLong NEXT_SESSION = new AtomicLong(1);

  /**
   * Starting a worker blocks for its JVM's start-up and ready handshake: give each start its own
   * short-lived thread rather than a shared pool's (the common pool must not block).
   */
  private static final ThreadFactory STARTER_THREADS =
      new ThreadFactoryBuilder()
          .setNameFormat("fibperf-process-starter-%d")
          .setDaemon(true)
          .build();

  private static final Executor STARTER = runnable -> STARTER_THREADS.newThread(runnable).start();

  private final int size;
  private final PoolObserver observer;
  private final Duration killAfterCancel;
  private final List<String> command;
  // Kills workers that ignore a cancel; one thread, since each timer only sends a signal.
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          new ThreadFactoryBuilder()
              .setNameFormat("fibperf-process-timer")
              .setDaemon(true)
              .build());

  @GuardedBy("this")
  private ThreadPoolExecutor executor;

  @GuardedBy("this")
  private List<Slot> slots;

  @GuardedBy("this")
  private boolean closed;

  @GuardedBy("this")
  private boolean coldUnreported;

  @GuardedBy("this")
  private CompletableFuture<Lease> starting; // the start in progress

  /**
   * @param size worker processes, at least 1
   * @param jvmOptions extra options for the worker JVMs (e.g. {@code -Xmx256m})
   * @param killAfterCancel how long a cancelled task may take to stop before its worker is killed
   */
  public ProcessPool(
      int size, PoolObserver observer, List<String> jvmOptions, Duration killAfterCancel) {
    this.killAfterCancel = Objects.requireNonNull(killAfterCancel, "killAfterCancel");
    if (size < 1) {
      throw new IllegalArgumentException("size=" + size + " must be at least 1");
    }
    this.size = size;
    this.observer = Objects.requireNonNull(observer, "observer");
    List<String> c = new ArrayList<>();
    c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Small, quick-starting JVMs: one task at a time needs little heap and no parallel GC.
    c.add("-XX:+UseSerialGC");
    c.add("-Xmx512m");
    c.addAll(jvmOptions);
    c.add("-cp");
    c.add(System.getProperty("java.class.path"));
    c.add(WORKER_MAIN);
    this.command = List.copyOf(c);
  }

  @Override
  public synchronized boolean isStarted() {
    return executor != null;
  }

  @Override
  public Lease acquire() {
    try {
      return acquireAsync().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw e;
    }
  }

  /**
   * Returns the warm pool at once, or the start in progress: the first caller starts the worker
   * JVMs on their own threads and every caller until they are up shares that one start, and is told
   * it was cold.
   */
  @Override
  public synchronized CompletableFuture<Lease> acquireAsync() {
    if (closed) {
      return CompletableFuture.failedFuture(
          new RejectedExecutionException("process pool is shut down"));
    }
    if (executor != null) {
      boolean cold = coldUnreported;
      coldUnreported = false;
      return CompletableFuture.completedFuture(lease(cold));
    }
    if (starting == null) {
      List<CompletableFuture<WorkerProcess>> spawned = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        String name = slotName(i);
        spawned.add(CompletableFuture.supplyAsync(() -> spawn(name), STARTER));
      }
      CompletableFuture<Lease> start =
          CompletableFuture.allOf(spawned.toArray(CompletableFuture[]::new))
              .handle((ignored, error) -> started(spawned, error));
      // Spawns that all fail at once complete it here, already cleared by started(): keeping it
      // would fail every later call instead of trying again.
      if (!start.isDone()) {
        starting = start;
      }
      return start;
    }
    return starting;
  }

  /** Takes the started workers into service, or cleans up after a start that failed. */
  private synchronized Lease started(
      List<CompletableFuture<WorkerProcess>> spawned, Throwable error) {
    starting = null;
    if (error != null || closed) {
      // Stop the workers that did start, so a later call starts afresh (or none is left behind).
      for (CompletableFuture<WorkerProcess> f : spawned) {
        f.thenAccept(WorkerProcess::close);
      }
      if (error != null) {
        throw error instanceof CompletionException completion
            ? completion
            : new CompletionException(error);
      }
      throw new RejectedExecutionException("process pool is shut down");
    }
    List<Slot> started = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      started.add(new Slot(slotName(i), spawned.get(i).join()));
    }
    slots = started;
    AtomicInteger next = new AtomicInteger();
    executor =
        new ThreadPoolExecutor(
            size,
            size,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            runnable -> new SlotThread(started.get(next.getAndIncrement() % size), runnable));
    executor.prestartAllCoreThreads();
    observer.poolCreated(METRICS_NAME, executor);
    return lease(true);
  }

  private static String slotName(int i) {
    return "fibperf-process-" + i;
  }

  @GuardedBy("this")
  private Lease lease(boolean cold) {
    return new Lease(
        executor,
        cold,
        observer,
        ProcessPool::computeOnThisThreadsWorker,
        PoolKind.PROCESSES,
        size);
  }

  /**
   * A pool thread that stands for one worker process for life: the pool's executor runs each task
   * on one of these, and the thread ships it to its worker.
   */
  private static final class SlotThread extends Thread {
    private final Slot slot;

    SlotThread(Slot slot, Runnable body) {
      super(body, slot.name);
      this.slot = slot;
      setDaemon(true);
    }
  }

  private static TaskKernel.Result computeOnThisThreadsWorker(
      Algorithm algorithm, Task task, CancellationToken token, TaskContext context) {
    if (!(Thread.currentThread() instanceof SlotThread)) {
      throw new IllegalStateException("not a process-pool thread");
    }
    return ((SlotThread) Thread.currentThread())
        .slot.compute(algorithm, task, token, context.remoteProfileSession());
  }

  /**
   * Starts a JFR session in every worker process; tasks run with its {@link
   * RemoteProfile#context()} are sampled in their worker. Starts the pool if needed, without
   * blocking the caller.
   */
  public CompletableFuture<RemoteProfile> startProfiling(Duration period, Engine engine) {
    return acquireAsync()
        .thenApply(
            lease -> {
              List<Slot> current;
              synchronized (this) {
                // The run that follows pays for the start: its lease must report it cold.
                coldUnreported |= lease.cold();
                current = List.copyOf(slots);
              }
              long session = NEXT_SESSION.getAndIncrement();
              for (Slot slot : current) {
                try {
                  slot.current().startProfile(session, period, engine);
                } catch (IOException e) {
                  // A dying worker: its replacement never sees the session and reports nothing.
                }
              }
              return new RemoteProfile(session, current);
            });
  }

  /** One profiling session across the worker processes. */
  public static final class RemoteProfile {
    private final long session;
    private final List<Slot> slots;

    private RemoteProfile(long session, List<Slot> slots) {
      this.session = session;
      this.slots = slots;
    }

    /** The context that makes a task this session's, so its worker samples it. */
    public TaskContext context() {
      return new TaskContext(session);
    }

    /**
     * Each worker's profile so far; recording goes on. A worker that does not answer within a
     * second is left out of this snapshot (the final profile still waits for it).
     */
    public List<WorkerProfile> snapshot() {
      return collect(slots.stream().map(s -> s.current().snapshotProfile(session)).toList(), 1);
    }

    /**
     * Stops the session in every worker and returns each worker's profile. A worker that died, or
     * says nothing for ten seconds, took its samples with it; the others still count.
     */
    public List<WorkerProfile> finish() {
      return collect(slots.stream().map(s -> s.current().finishProfile(session)).toList(), 10);
    }

    private static List<WorkerProfile> collect(
        List<CompletableFuture<WorkerProfile>> asked, long timeoutSeconds) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      List<WorkerProfile> profiles = new ArrayList<>();
      for (CompletableFuture<WorkerProfile> reply : asked) {
        try {
          profiles.add(reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (ExecutionException | TimeoutException e) {
          reply.cancel(false); // stop waiting; a late reply is dropped
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      return profiles;
    }
  }

  private WorkerProcess spawn(String name) {
    try {
      return new WorkerProcess(name, command, timers, killAfterCancel);
    } catch (IOException e) {
      throw new WorkerStartException(e.getMessage() + "; the next call tries again", e);
    }
  }

  /** One worker's place in the pool: its current process, or the replacement on its way. */
  private final class Slot {
    private final String name;
    private volatile CompletableFuture<WorkerProcess> process;

    Slot(String name, WorkerProcess first) {
      this.name = name;
      this.process = CompletableFuture.completedFuture(first);
    }

    WorkerProcess current() {
      return process.join();
    }

    TaskKernel.Result compute(
        Algorithm algorithm, Task task, CancellationToken token, long profileSession) {
      WorkerProcess worker = current();
      if (!worker.isAlive()) {
        worker = replace(worker).join();
      }
      try {
        return worker.compute(algorithm, task, token, profileSession);
      } catch (WorkerDiedException | CancellationException e) {
        if (!worker.isAlive()) {
          replace(worker);
        }
        throw e;
      }
    }

    /** Starts a new process in the background; the next task on this slot waits for it. */
    private synchronized CompletableFuture<WorkerProcess> replace(WorkerProcess dead) {
      if (process.isDone() && process.join() == dead) {
        dead.kill();
        observer.workerReplaced();
        process = CompletableFuture.supplyAsync(() -> spawn(name), STARTER);
      }
      return process;
    }
  }

  /** Stops the pool threads and the workers; later acquires fail. */
  @Override
  public void close() {
    ThreadPoolExecutor toStop;
    List<Slot> toClose;
    CompletableFuture<Lease> inProgress;
    synchronized (this) {
      closed = true;
      toStop = executor;
      toClose = slots;
      inProgress = starting;
    }
    if (inProgress != null) {
      // Its workers see the pool closed when they are up and stop themselves; wait for that, so
      // none outlives close().
      inProgress.handle((lease, error) -> null).join();
    }
    if (toStop != null) {
      toStop.shutdownNow();
      for (Slot slot : toClose) {
        slot.current().close();
      }
      MoreExecutors.shutdownAndAwaitTermination(toStop, Duration.ofSeconds(5));
    }
    timers.shutdownNow();
  }
}
