package dev.fibperf.server.exec.process;

import dev.fibperf.proto.worker.v1.CancelTask;
import dev.fibperf.proto.worker.v1.FinishProfile;
import dev.fibperf.proto.worker.v1.RunTask;
import dev.fibperf.proto.worker.v1.SnapshotProfile;
import dev.fibperf.proto.worker.v1.StartProfile;
import dev.fibperf.proto.worker.v1.WorkerProfile;
import dev.fibperf.proto.worker.v1.WorkerReply;
import dev.fibperf.proto.worker.v1.WorkerRequest;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.TaskKernel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * One worker JVM and the pipe to it. Used by one pool thread at a time. Owns the process: {@link
 * #close()} ends it.
 */
final class WorkerProcess implements AutoCloseable {
  /** A cancelled task that has not stopped after this long gets its worker killed. */
  static final long KILL_AFTER_CANCEL_MILLIS = 100;

  /** How long a new worker JVM may take to say it is ready. */
  private static final long START_TIMEOUT_SECONDS = 30;

  /** How often a waiting pool thread looks at its token and the process. */
  private static final long POLL_MILLIS = 2;

  private final String name;
  private final Process process;
  private final OutputStream toWorker;
  private final BlockingQueue<WorkerReply> replies = new LinkedBlockingQueue<>();

  /** Profile requests waiting for their reply, by request id. */
  private final java.util.Map<Long, CompletableFuture<WorkerProfile>> pendingProfiles =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final java.util.concurrent.atomic.AtomicLong nextProfileRequest =
      new java.util.concurrent.atomic.AtomicLong(1);
  private volatile boolean readerDone;
  private long nextTaskId;

  WorkerProcess(String name, List<String> command) throws IOException {
    this.name = name;
    this.process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    this.toWorker = new BufferedOutputStream(process.getOutputStream());
    InputStream fromWorker = new BufferedInputStream(process.getInputStream());
    Thread reader =
        new Thread(
            () -> {
              try {
                for (WorkerReply r = WorkerReply.parseDelimitedFrom(fromWorker);
                    r != null;
                    r = WorkerReply.parseDelimitedFrom(fromWorker)) {
                  if (r.hasProfile()) {
                    CompletableFuture<WorkerProfile> waiting =
                        pendingProfiles.remove(r.getProfile().getRequestId());
                    if (waiting != null) {
                      waiting.complete(r.getProfile());
                    }
                  } else {
                    replies.add(r);
                  }
                }
              } catch (IOException ignored) {
                // The worker died mid-message; readerDone says so.
              } finally {
                readerDone = true;
                pendingProfiles
                    .values()
                    .forEach(
                        f ->
                            f.completeExceptionally(
                                new IOException("worker " + describe() + " exited")));
              }
            },
            name + "-reader");
    reader.setDaemon(true);
    reader.start();
    awaitReady();
  }

  /** Waits for the worker's start-up message, so a pool that is started is ready for tasks. */
  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    try {
      while (System.nanoTime() < deadline) {
        WorkerReply r = replies.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (r != null && r.getReady()) {
          return;
        }
        if (r == null && readerDone) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boolean exited = false;
    try {
      exited = process.waitFor(1, TimeUnit.SECONDS); // its stdout closes just before it exits
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String why =
        exited
            ? "exited with code " + process.exitValue() + " (its stderr is in the server's log)"
            : "said nothing within " + START_TIMEOUT_SECONDS + " s";
    kill();
    throw new IOException("cannot start worker " + describe() + ": it " + why);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive() && !readerDone;
  }

  /**
   * Runs {@code task} in the worker and waits for it.
   *
   * @throws CancellationException if {@code token} is cancelled first; a worker that does not stop
   *     within {@value #KILL_AFTER_CANCEL_MILLIS} ms is killed
   * @throws WorkerDiedException if the worker dies first
   */
  TaskKernel.Result compute(
      Algorithm algorithm, Task task, CancellationToken token, long profileSession) {
    long id = ++nextTaskId;
    send(
        WorkerRequest.newBuilder()
            .setRun(
                RunTask.newBuilder()
                    .setTaskId(id)
                    .setIndex(task.index())
                    .setN(task.n())
                    .setAlgorithm(
                        dev.fibperf.proto.v1.Algorithm.valueOf("ALGORITHM_" + algorithm.name()))
                    .setProfileSessionId(profileSession))
            .build(),
        task);
    long killAt = Long.MAX_VALUE;
    while (true) {
      WorkerReply reply;
      try {
        reply = replies.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
        throw new CancellationException("interrupted");
      }
      if (reply != null && reply.getTaskId() == id) {
        switch (reply.getEventCase()) {
          case FINISHED:
            com.google.protobuf.Duration d = reply.getFinished().getDuration();
            return new TaskKernel.Result(
                new BigInteger(reply.getFinished().getValue()),
                d.getSeconds() * 1_000_000_000L + d.getNanos());
          case CANCELLED:
            throw new CancellationException("cancelled in " + name);
          default:
            throw new IllegalStateException(
                "worker "
                    + describe()
                    + " failed nums["
                    + task.index()
                    + "]="
                    + task.n()
                    + ": "
                    + reply.getFailed());
        }
      }
      if (reply == null && !isAlive()) {
        throw died(task);
      }
      if (token.isCancelled()) {
        if (killAt == Long.MAX_VALUE) {
          killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_AFTER_CANCEL_MILLIS);
          send(
              WorkerRequest.newBuilder().setCancel(CancelTask.newBuilder().setTaskId(id)).build(),
              task);
        } else if (System.nanoTime() > killAt) {
          kill(); // a runaway: the pool replaces it
          throw new CancellationException("worker " + describe() + " killed: ignored cancel");
        }
      }
    }
  }

  /** Starts JFR profiling session {@code session} in the worker. */
  void startProfile(long session, java.time.Duration period) throws IOException {
    write(
        WorkerRequest.newBuilder()
            .setStartProfile(
                StartProfile.newBuilder()
                    .setSessionId(session)
                    .setSamplingPeriod(
                        com.google.protobuf.Duration.newBuilder()
                            .setSeconds(period.getSeconds())
                            .setNanos(period.getNano())))
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
                .setFinishProfile(FinishProfile.newBuilder().setSessionId(session).setRequestId(id))
                .build());
  }

  /** Like {@link #finishProfile}, for what the session has sampled so far; it goes on recording. */
  CompletableFuture<WorkerProfile> snapshotProfile(long session) {
    return askForProfile(
        id ->
            WorkerRequest.newBuilder()
                .setSnapshotProfile(
                    SnapshotProfile.newBuilder().setSessionId(session).setRequestId(id))
                .build());
  }

  private CompletableFuture<WorkerProfile> askForProfile(LongFunction<WorkerRequest> request) {
    long id = nextProfileRequest.getAndIncrement();
    CompletableFuture<WorkerProfile> reply = new CompletableFuture<>();
    pendingProfiles.put(id, reply);
    reply.whenComplete((profile, error) -> pendingProfiles.remove(id));
    try {
      if (readerDone) {
        throw new IOException("worker " + describe() + " has exited");
      }
      write(request.apply(id));
    } catch (IOException e) {
      reply.completeExceptionally(e);
    }
    return reply;
  }

  private synchronized void write(WorkerRequest request) throws IOException {
    request.writeDelimitedTo(toWorker);
    toWorker.flush();
  }

  private void send(WorkerRequest request, Task task) {
    try {
      write(request);
    } catch (IOException e) {
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
