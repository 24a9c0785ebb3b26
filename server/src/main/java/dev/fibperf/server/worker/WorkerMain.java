package dev.fibperf.server.worker;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.fibperf.proto.worker.v1.Kernel;
import dev.fibperf.proto.worker.v1.RunTask;
import dev.fibperf.proto.worker.v1.TaskDone;
import dev.fibperf.proto.worker.v1.WorkerReply;
import dev.fibperf.proto.worker.v1.WorkerRequest;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.compute.KernelCatalog;
import dev.fibperf.server.compute.KernelFailedException;
import dev.fibperf.server.exec.TaskTiming;
import dev.fibperf.server.exec.process.WorkerProtocol;
import dev.fibperf.server.profile.JfrProfiler;
import dev.fibperf.server.profile.ProfileReport;
import dev.fibperf.server.profile.ProfileSession;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A worker process: reads length-delimited {@link WorkerRequest}s on stdin, computes one task at a
 * time, and writes {@link WorkerReply}s on stdout. Exits when stdin closes or its parent dies, so
 * no worker outlives the server.
 *
 * <p>Fault injection for tests: {@code -Dfibperf.worker.ignoreCancel=true} makes it ignore
 * cancellation, as a runaway task would.
 */
public final class WorkerMain {
  /**
   * Set by a server that allows profiling, so a worker's first profile does not pay JFR's start.
   */
  public static final String WARM_JFR_PROPERTY = "fibperf.worker.warmJfr";

  private final OutputStream out;
  private final ExecutorService compute = singleDaemonThread("fibperf-worker-compute");
  // Profiles are dumped and analysed off the request loop, so a CancelTask is read at once even
  // while a snapshot is being taken.
  private final ExecutorService profiling = singleDaemonThread("fibperf-worker-profile");
  private final boolean ignoreCancel = Boolean.getBoolean("fibperf.worker.ignoreCancel");
  private final JfrProfiler profiler = new JfrProfiler();
  // Sessions start on the profiling thread, which may still be warming JFR: the request loop must
  // not wait for that (a CancelTask behind it would), only the session's own tasks do.
  private final Map<Long, CompletableFuture<ProfileSession>> sessions = new ConcurrentHashMap<>();
  private volatile long runningTask = -1;
  private volatile CancellationToken runningToken = CancellationToken.NONE;

  /**
   * The same kernels as the server's: it passes its --kernels jars in {@link #KERNELS_PROPERTY}.
   */
  private final KernelCatalog kernels;

  /** The jars to load kernels from, separated by the path separator; none when unset. */
  public static final String KERNELS_PROPERTY = "fibperf.worker.kernels";

  private WorkerMain(OutputStream out, KernelCatalog kernels) {
    this.out = out;
    this.kernels = kernels;
  }

  /**
   * Ends the worker. {@code System.exit}, not {@code halt}: JFR deletes its repository folder in
   * its shutdown hook, and a halted worker left one behind in the temp folder each time.
   */
  private static void exit() {
    System.exit(0);
  }

  private static ExecutorService singleDaemonThread(String name) {
    return Executors.newSingleThreadExecutor(
        new ThreadFactoryBuilder().setNameFormat(name).setDaemon(true).build());
  }

  public static void main(String[] args) throws IOException {
    // Our stdout is the protocol channel: nothing else may write to it.
    OutputStream protocol = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out));
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(WorkerMain::exit));
    String jars = System.getProperty(KERNELS_PROPERTY, "");
    WorkerMain worker =
        new WorkerMain(
            protocol,
            KernelCatalog.load(
                jars.isEmpty()
                    ? List.of()
                    : java.util.Arrays.stream(jars.split(java.io.File.pathSeparator))
                        .map(java.nio.file.Path::of)
                        .toList()));
    worker.warmUp();
    worker.reply(WorkerReply.newBuilder().setReady(true).build());
    if (Boolean.getBoolean(WARM_JFR_PROPERTY)) {
      // JFR's first start (about 0.3 s) and first read-back, in the background after "ready": not
      // part of the pool's start (0.46 s against 1.06 s when it was), nor of a profiled task. A
      // session that starts meanwhile waits for it.
      worker.profiling.execute(worker::rehearseProfile);
    }
    worker.serve(new BufferedInputStream(System.in));
    exit();
  }

  /**
   * Loads and runs the task path once (protocol classes, kernels, reply encoding) so the first real
   * task does not pay for it; the pool counts this as start-up, not as that task's hand-off.
   */
  private void warmUp() throws IOException {
    WorkerRequest sample =
        WorkerRequest.newBuilder()
            .setRun(RunTask.newBuilder().setN(20).setKernel(Kernel.KERNEL_NAIVE))
            .build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    sample.writeDelimitedTo(bytes);
    RunTask run =
        WorkerRequest.parseDelimitedFrom(new ByteArrayInputStream(bytes.toByteArray())).getRun();
    for (Algorithm algorithm : Algorithm.BUILT_IN) {
      algorithm.compute(run.getN(), CancellationToken.NONE);
    }
    reply(
        WorkerReply.newBuilder()
            .setDone(TaskDone.newBuilder().setValue("6765").setComputeNanos(1))
            .build(),
        new ByteArrayOutputStream());
  }

  private void serve(InputStream in) throws IOException {
    while (true) {
      WorkerRequest request = WorkerRequest.parseDelimitedFrom(in);
      if (request == null) {
        return; // the server closed our stdin: it is gone or stopping
      }
      long requestId = request.getRequestId();
      switch (request.getCommandCase()) {
        case RUN:
          RunTask run = request.getRun();
          CancellationToken token = new CancellationToken();
          runningToken = token;
          runningTask = requestId;
          compute.execute(() -> run(requestId, run, token));
          break;
        case START_PROFILE:
          {
            Duration period = Duration.ofNanos(request.getStartProfile().getSamplingPeriodNanos());
            dev.fibperf.server.profile.Engine engine =
                request.getStartProfile().getAsyncProfiler()
                    ? dev.fibperf.server.profile.Engine.ASYNC_PROFILER
                    : dev.fibperf.server.profile.Engine.JFR;
            sessions.put(
                request.getStartProfile().getSessionId(),
                CompletableFuture.supplyAsync(() -> profiler.start(period, engine), profiling));
          }
          break;
        case FINISH_PROFILE:
          {
            long session = request.getFinishProfile().getSessionId();
            profiling.execute(() -> answerProfile(session, requestId, true));
          }
          break;
        case SNAPSHOT_PROFILE:
          {
            long session = request.getSnapshotProfile().getSessionId();
            profiling.execute(() -> answerProfile(session, requestId, false));
          }
          break;
        case CANCEL:
          if (request.getCancel().getTaskRequestId() == runningTask && !ignoreCancel) {
            runningToken.cancel();
          }
          break;
        case COMMAND_NOT_SET:
          break;
      }
    }
  }

  /**
   * Warms JFR by profiling one real task, then encodes and decodes that profile's reply, so the
   * first call's profile pays for none of it: encoding a deep-stack profile for the first time took
   * 210 ms here, about half of what that first profile then waited for.
   */
  private void rehearseProfile() {
    try {
      ProfileReport report =
          profiler.warmUp(() -> Algorithm.NAIVE.compute(34, CancellationToken.NONE));
      if (report != null) {
        WorkerReply.parseFrom(
            WorkerReply.newBuilder()
                .setProfile(WorkerProtocol.profile(report))
                .build()
                .toByteArray());
      }
    } catch (IOException | RuntimeException e) {
      // Only a warm-up: the first real profile pays instead.
      System.err.println("fibperf worker: profile warm-up failed: " + e);
    }
  }

  /**
   * Replies with session {@code id}'s profile, final (the session ends) or so far. A worker started
   * after the session began never saw it: it reports an empty profile.
   */
  private void answerProfile(long id, long requestId, boolean finish) {
    ProfileSession session = started(finish ? sessions.remove(id) : sessions.get(id));
    ProfileReport report = null;
    try {
      if (session != null) {
        report =
            finish ? session.finish(Integer.MAX_VALUE, false) : session.snapshot(Integer.MAX_VALUE);
      }
    } catch (RuntimeException e) {
      // Still answer, so the server does not wait out its timeout; stderr reaches its log.
      System.err.println("fibperf worker: profile session " + id + " failed: " + e);
    }
    if (report == null) {
      report = ProfileReport.merge(List.of(), JfrProfiler.FINEST_PERIOD, 0);
    }
    reply(
        WorkerReply.newBuilder()
            .setRequestId(requestId)
            .setProfile(WorkerProtocol.profile(report))
            .build());
  }

  /** The session, once started; null for none, or for one that could not start (logged). */
  private static ProfileSession started(CompletableFuture<ProfileSession> session) {
    return started(session, CancellationToken.NONE);
  }

  /**
   * Like {@link #started(CompletableFuture)}, giving up if {@code token} is cancelled meanwhile: a
   * task cancelled while its session starts must stop within the server's 100 ms, or be killed.
   */
  private static ProfileSession started(
      CompletableFuture<ProfileSession> session, CancellationToken token) {
    if (session == null) {
      return null;
    }
    CompletableFuture<ProfileSession> orCancelled = new CompletableFuture<>();
    session.whenComplete(
        (s, error) -> {
          if (error != null) {
            orCancelled.completeExceptionally(error);
          } else {
            orCancelled.complete(s);
          }
        });
    try (CancellationToken.Registration ignored =
        token.onCancel(
            () ->
                orCancelled.completeExceptionally(
                    new CancellationException("cancelled while its profile session started")))) {
      return orCancelled.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CancellationException) {
        throw (CancellationException) e.getCause();
      }
      System.err.println("fibperf worker: profile session did not start: " + e.getCause());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void run(long requestId, RunTask run, CancellationToken token) {
    WorkerReply.Builder reply = WorkerReply.newBuilder().setRequestId(requestId);
    try {
      Algorithm algorithm = WorkerProtocol.algorithm(run, kernels);
      // Before the clock starts: waiting for the session to start is not the task's time.
      ProfileSession session = started(sessions.get(run.getProfileSessionId()), token);
      Supplier<String> body = () -> algorithm.compute(run.getN(), token);
      TaskTiming.Timed<String> computed =
          TaskTiming.of(
              session == null ? body : () -> session.mark(run.getIndex(), run.getN(), body));
      TaskDone.Builder done =
          TaskDone.newBuilder()
              .setValue(computed.value())
              .setComputeNanos(computed.timing().elapsedNanos())
              .setCpuNanos(computed.timing().cpuNanos());
      if (computed.timing().coreWaitNanos() >= 0) {
        done.setCoreWaitNanos(computed.timing().coreWaitNanos());
      }
      reply.setDone(done);
    } catch (CancellationException e) {
      reply.setCancelled(true);
    } catch (KernelFailedException e) {
      reply.setFailed(e.getMessage());
    } catch (Throwable t) {
      reply.setFailed(t.toString());
    }
    reply(reply.build());
  }

  private void reply(WorkerReply reply) {
    reply(reply, out);
  }

  private synchronized void reply(WorkerReply reply, OutputStream to) {
    try {
      reply.writeDelimitedTo(to);
      to.flush();
    } catch (IOException e) {
      exit(); // the server is gone
    }
  }
}
