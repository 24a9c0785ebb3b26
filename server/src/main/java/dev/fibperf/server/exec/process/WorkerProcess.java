package dev.fibperf.server.exec.process;

import dev.fibperf.proto.worker.v1.CancelTask;
import dev.fibperf.proto.worker.v1.ProfileRequest;
import dev.fibperf.proto.worker.v1.RunTask;
import dev.fibperf.proto.worker.v1.StartProfile;
import dev.fibperf.proto.worker.v1.WorkerProfile;
import dev.fibperf.proto.worker.v1.WorkerReply;
import dev.fibperf.proto.worker.v1.WorkerRequest;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.compute.KernelFailedException;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.TaskKernel;
import dev.fibperf.server.exec.TaskTiming;
import dev.fibperf.server.profile.Engine;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * One worker JVM and the pipe to it. Event-driven: a reader thread completes each request's future
 * as its reply arrives; nobody polls. Tasks are sent by one pool thread at a time. Owns the
 * process: {@link #close()} ends it.
 */
final class WorkerProcess implements AutoCloseable {
  private final Duration killAfterCancel;

  /** How long a new worker JVM may take to say it is ready. */
  private static final long START_TIMEOUT_SECONDS = 30;

  private final String name;
  private final Process process;
  private final OutputStream toWorker;
  private final ScheduledExecutorService timers;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  /** Requests waiting for their reply, by request id: tasks and profile requests alike. */
  private final Map<Long, CompletableFuture<WorkerReply>> pending = new ConcurrentHashMap<>();

  private final AtomicLong nextRequestId = new AtomicLong(1);
  private volatile boolean readerDone;
  private volatile boolean killed;

  /**
   * Starts the worker and waits for its ready handshake.
   *
   * @param timers schedules the kill of a worker that ignores a cancel; borrowed
   * @param killAfterCancel a cancelled task that has not stopped after this long gets its worker
   *     killed
   * @throws IOException if it cannot start or does not say it is ready
   */
  WorkerProcess(
      String name, List<String> command, ScheduledExecutorService timers, Duration killAfterCancel)
      throws IOException {
    this.name = name;
    this.killAfterCancel = killAfterCancel;
    this.timers = timers;
    this.process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    this.toWorker = new BufferedOutputStream(process.getOutputStream());
    InputStream fromWorker = new BufferedInputStream(process.getInputStream());
    Thread reader = new Thread(() -> read(fromWorker), name + "-reader");
    reader.setDaemon(true);
    reader.start();
    awaitReady();
  }

  private void read(InputStream fromWorker) {
    try {
      for (WorkerReply r = WorkerReply.parseDelimitedFrom(fromWorker);
          r != null;
          r = WorkerReply.parseDelimitedFrom(fromWorker)) {
        if (r.getReady()) {
          ready.complete(null);
          continue;
        }
        CompletableFuture<WorkerReply> waiting = pending.remove(r.getRequestId());
        if (waiting != null) {
          waiting.complete(r);
        }
      }
    } catch (IOException ignored) {
      // The worker died mid-message: handled as its exit, below.
    } finally {
      readerDone = true;
      IOException gone = new IOException("worker " + describe() + " exited");
      ready.completeExceptionally(gone);
      pending.values().forEach(f -> f.completeExceptionally(gone));
    }
  }

  /** Waits for the worker's start-up message, so a pool that is started is ready for tasks. */
  private void awaitReady() throws IOException {
    String why;
    try {
      ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return;
    } catch (TimeoutException e) {
      why = "said nothing within " + START_TIMEOUT_SECONDS + " s";
    } catch (ExecutionException e) {
      why = exitDescription();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      why = "was interrupted while starting";
    }
    kill();
    throw new IOException("cannot start worker " + describe() + ": it " + why);
  }

  private String exitDescription() {
    try {
      if (process.waitFor(1, TimeUnit.SECONDS)) { // its stdout closes just before it exits
        return "exited with code " + process.exitValue() + " (its stderr is in the server's log)";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "closed its output without exiting";
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    // A worker this side killed counts as dead at once, before the OS has reaped it.
    return !killed && !readerDone && process.isAlive();
  }

  /**
   * Runs {@code task} in the worker and waits for its reply. Cancelling {@code token} sends the
   * worker a cancel at once; a worker that has not answered {@code killAfterCancel} later is
   * killed.
   *
   * @throws CancellationException if {@code token} is cancelled first
   * @throws WorkerDiedException if the worker dies first
   */
  TaskKernel.Result compute(
      Algorithm algorithm, Task task, CancellationToken token, long profileSession) {
    long id = nextRequestId.getAndIncrement();
    CompletableFuture<WorkerReply> reply = expect(id);
    send(
        WorkerRequest.newBuilder()
            .setRequestId(id)
            .setRun(
                WorkerProtocol.kernel(
                    RunTask.newBuilder()
                        .setIndex(task.index())
                        .setN(task.n())
                        .setProfileSessionId(profileSession),
                    algorithm))
            .build(),
        task,
        reply);
    try (CancellationToken.Registration ignored = token.onCancel(() -> cancel(id, reply))) {
      WorkerReply r = reply.get();
      switch (r.getEventCase()) {
        case DONE:
          return new TaskKernel.Result(
              r.getDone().getValue(),
              new TaskTiming(
                  r.getDone().getComputeNanos(),
                  r.getDone().getCpuNanos(),
                  r.getDone().hasCoreWaitNanos() ? r.getDone().getCoreWaitNanos() : -1));
        case CANCELLED:
          throw new CancellationException("cancelled in " + name);
        case FAILED:
          // The kernel failed the task; the worker lives on (a worker that died is not here).
          throw new KernelFailedException(
              algorithm.kernelName(), r.getFailed() + " (in worker process " + name + ")");
        default:
          throw new IllegalStateException(
              "worker " + describe() + " failed nums[" + task.index() + "]=" + task.n() + ": " + r);
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CancellationException) {
        throw (CancellationException) e.getCause();
      }
      throw died(task);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      throw new CancellationException("interrupted");
    }
  }

  /** Asks the worker to stop task request {@code id}; kills it if it has not answered in time. */
  private void cancel(long id, CompletableFuture<WorkerReply> reply) {
    try {
      write(
          WorkerRequest.newBuilder()
              .setCancel(CancelTask.newBuilder().setTaskRequestId(id))
              .build());
    } catch (IOException e) {
      return; // it is dying anyway: the reader fails the reply
    }
    timers.schedule(
        () -> {
          if (!reply.isDone()) {
            kill(); // a runaway: the pool replaces it
            reply.completeExceptionally(
                new CancellationException("worker " + describe() + " killed: ignored cancel"));
          }
        },
        killAfterCancel.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  /** Starts profiling session {@code session} in the worker. */
  void startProfile(long session, Duration period, Engine engine) throws IOException {
    write(
        WorkerRequest.newBuilder()
            .setStartProfile(
                StartProfile.newBuilder()
                    .setSessionId(session)
                    .setSamplingPeriodNanos(period.toNanos())
                    .setAsyncProfiler(engine == Engine.ASYNC_PROFILER))
            .build());
  }

  /**
   * Asks the worker to stop session {@code session}; the future completes with what it sampled, or
   * fails with an {@link IOException} if the worker is gone. Does not wait: a caller asks every
   * worker first, then collects, so one slow worker does not delay asking the others.
   */
  CompletableFuture<WorkerProfile> finishProfile(long session) {
    return askForProfile(
        id ->
            WorkerRequest.newBuilder()
                .setRequestId(id)
                .setFinishProfile(ProfileRequest.newBuilder().setSessionId(session))
                .build());
  }

  /** Like {@link #finishProfile}, for what the session has sampled so far; it goes on recording. */
  CompletableFuture<WorkerProfile> snapshotProfile(long session) {
    return askForProfile(
        id ->
            WorkerRequest.newBuilder()
                .setRequestId(id)
                .setSnapshotProfile(ProfileRequest.newBuilder().setSessionId(session))
                .build());
  }

  private CompletableFuture<WorkerProfile> askForProfile(LongFunction<WorkerRequest> request) {
    long id = nextRequestId.getAndIncrement();
    CompletableFuture<WorkerReply> reply = expect(id);
    try {
      write(request.apply(id));
    } catch (IOException e) {
      reply.completeExceptionally(e);
    }
    return reply.thenApply(WorkerReply::getProfile);
  }

  /** Registers a reply future; one that is given up on (cancelled, timed out) is forgotten. */
  private CompletableFuture<WorkerReply> expect(long id) {
    CompletableFuture<WorkerReply> reply = new CompletableFuture<>();
    pending.put(id, reply);
    reply.whenComplete((r, error) -> pending.remove(id));
    if (readerDone) {
      reply.completeExceptionally(new IOException("worker " + describe() + " has exited"));
    }
    return reply;
  }

  private synchronized void write(WorkerRequest request) throws IOException {
    request.writeDelimitedTo(toWorker);
    toWorker.flush();
  }

  private void send(WorkerRequest request, Task task, CompletableFuture<WorkerReply> reply) {
    try {
      write(request);
    } catch (IOException e) {
      reply.cancel(false);
      throw died(task);
    }
  }

  private WorkerDiedException died(Task task) {
    String exit = "";
    try {
      if (process.waitFor(1, TimeUnit.SECONDS)) {
        exit = ", exit code " + process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new WorkerDiedException(
        "worker "
            + describe()
            + " died running nums["
            + task.index()
            + "]="
            + task.n()
            + exit
            + "; the pool is replacing it");
  }

  String describe() {
    return name + " (pid " + process.pid() + ")";
  }

  void kill() {
    killed = true;
    process.destroyForcibly();
  }

  /** Closes the worker's stdin (it exits by itself), then kills it if it lingers. */
  @Override
  public void close() {
    try {
      toWorker.close();
    } catch (IOException ignored) {
      // Already gone.
    }
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
    }
  }
}
