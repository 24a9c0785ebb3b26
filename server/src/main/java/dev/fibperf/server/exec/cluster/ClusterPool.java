package dev.fibperf.server.exec.cluster;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.proto.cluster.v1.CapacityRequest;
import dev.fibperf.proto.cluster.v1.CapacityResponse;
import dev.fibperf.proto.cluster.v1.ComputeRequest;
import dev.fibperf.proto.cluster.v1.ComputeResponse;
import dev.fibperf.proto.cluster.v1.PeerServiceGrpc;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.PoolNotConfiguredException;
import dev.fibperf.server.exec.PoolObserver;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.exec.TaskKernel;
import dev.fibperf.server.exec.TaskPool;
import dev.fibperf.server.exec.TaskTiming;
import dev.fibperf.server.peer.ClusterCredentials;
import dev.fibperf.server.peer.PeerEndpoint;
import dev.fibperf.server.peer.PeerProtocol;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The worker threads of other replicas, as one pool: the replica that runs a call coordinates, and
 * sends each task to a peer that has a free worker, one gRPC call per task ({@link PeerEndpoint}).
 * Peer calls carry the cluster's credentials ({@link ClusterCredentials}): over TLS to peers whose
 * certificates the cluster CA signed, with the cluster secret.
 *
 * <p>Peers are found from {@link PeerTargets} on first use and again when one is lost or the last
 * look is {@link #REDISCOVER_AFTER} old; each says how many workers it has ({@code Capacity}). The
 * pool has one thread per worker; a thread takes a free peer worker for each task, so tasks go out
 * in the run's order (largest first) to whichever peer frees a worker first. A peer that fails a
 * call with UNAVAILABLE (it died, or is draining) or cancels it (it shut down) is dropped and the
 * task is sent to another: tasks are pure, so running one again is safe, and its result says how
 * often it was tried and why. Cancelling a run cancels its calls, which stops the tasks on the
 * peers; the caller's deadline goes with each call.
 *
 * <p>Owns its threads and channels: {@link #close()} ends both.
 */
public final class ClusterPool implements TaskPool {
  /** The {@code name} tag of this pool's executor meters. */
  public static final String METRICS_NAME = "fibperf.cluster-pool";

  /** Peers that have not answered {@code Capacity} in this time are left out of the pool. */
  static final Duration CAPACITY_TIMEOUT = Duration.ofSeconds(2);

  /** How long a look at the peers stands before the next call looks again (new replicas). */
  public static final Duration REDISCOVER_AFTER = Duration.ofSeconds(30);

  /** A task that lost this many peers under it fails instead of trying again. */
  static final int MAX_ATTEMPTS = 3;

  private final PeerTargets targets;
  private final ClusterCredentials credentials;
  private final String instance;
  private final PoolObserver observer;
  private final ExecutorService discovery =
      Executors.newSingleThreadExecutor(
          new ThreadFactoryBuilder()
              .setNameFormat("fibperf-cluster-discovery")
              .setDaemon(true)
              .build());
  // One token per free worker of a live peer; a lost peer's tokens are dropped when taken.
  private final LinkedBlockingQueue<Slot> free = new LinkedBlockingQueue<>();
  private volatile int liveWorkers;

  @GuardedBy("this")
  private final Map<InetSocketAddress, ManagedChannel> channels = new HashMap<>();

  @GuardedBy("this")
  private Map<InetSocketAddress, Peer> members = Map.of();

  @GuardedBy("this")
  private ThreadPoolExecutor executor;

  @GuardedBy("this")
  private CompletableFuture<Lease> discovering;

  @GuardedBy("this")
  private long discoveredAtNanos;

  @GuardedBy("this")
  private boolean stale;

  @GuardedBy("this")
  private boolean closed;

  /** One peer replica as the pool knows it. */
  private static final class Peer {
    final String address; // host:port, in worker names and messages
    final int workers;
    final PeerServiceGrpc.PeerServiceFutureStub stub;
    volatile boolean lost;

    Peer(String address, int workers, PeerServiceGrpc.PeerServiceFutureStub stub) {
      this.address = address;
      this.workers = workers;
      this.stub = stub;
    }
  }

  /**
   * One worker of a peer, as a token: taken for a task, given back when it ends. Named {@code
   * host:port/index} in both of the task's events.
   */
  private record Slot(Peer peer, int index) {
    String name() {
      return peer.address + "/" + index;
    }
  }

  /**
   * @param instance this server's instance id, sent with each task: a peer that is this server
   *     itself knows the task is part of a run it holds the workers for
   */
  public ClusterPool(
      PeerTargets targets, ClusterCredentials credentials, String instance, PoolObserver observer) {
    this.targets = Objects.requireNonNull(targets, "targets");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.instance = Objects.requireNonNull(instance, "instance");
    this.observer = Objects.requireNonNull(observer, "observer");
  }

  /** The cluster pool of a server without {@code --peers}: every acquire fails, saying so. */
  public static TaskPool unconfigured() {
    return new TaskPool() {
      @Override
      public Lease acquire() {
        throw new PoolNotConfiguredException(
            "pool=POOL_KIND_CLUSTER needs --peers; this server has none");
      }

      @Override
      public boolean isStarted() {
        return false;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public Lease acquire() {
    try {
      return acquireAsync().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * The pool as last discovered, or a discovery in progress, shared by every caller until it ends.
   * Fails with UNAVAILABLE when no peer answers.
   */
  @Override
  public synchronized CompletableFuture<Lease> acquireAsync() {
    if (closed) {
      return CompletableFuture.failedFuture(
          new RejectedExecutionException("cluster pool is shut down"));
    }
    boolean fresh = System.nanoTime() - discoveredAtNanos < REDISCOVER_AFTER.toNanos();
    if (executor != null && !stale && fresh) {
      return CompletableFuture.completedFuture(lease(false));
    }
    if (discovering == null) {
      boolean first = executor == null;
      CompletableFuture<Lease> look =
          CompletableFuture.supplyAsync(this::resolve, discovery)
              .thenCompose(this::askCapacities)
              .handle((answers, error) -> adopt(answers, error, first));
      if (!look.isDone()) {
        discovering = look;
      }
      return look;
    }
    return discovering;
  }

  @Override
  public synchronized boolean isStarted() {
    return executor != null;
  }

  private List<InetSocketAddress> resolve() {
    try {
      return targets.resolve();
    } catch (java.net.UnknownHostException e) {
      throw new CompletionException(
          new PeersUnavailableException(
              "cluster pool: --peers=" + targets + " does not resolve: " + e));
    }
  }

  private record Answer(InetSocketAddress address, CapacityResponse capacity, Throwable error) {}

  private CompletableFuture<List<Answer>> askCapacities(List<InetSocketAddress> addresses) {
    List<CompletableFuture<Answer>> asked = new ArrayList<>();
    for (InetSocketAddress address : addresses) {
      ListenableFuture<CapacityResponse> reply;
      try {
        reply =
            stub(address)
                .withDeadlineAfter(CAPACITY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .capacity(CapacityRequest.getDefaultInstance());
      } catch (IllegalArgumentException notLoopback) {
        asked.add(CompletableFuture.completedFuture(new Answer(address, null, notLoopback)));
        continue;
      }
      CompletableFuture<Answer> answer = new CompletableFuture<>();
      reply.addListener(
          () -> {
            try {
              answer.complete(new Answer(address, reply.get(), null));
            } catch (ExecutionException e) {
              answer.complete(new Answer(address, null, e.getCause()));
            } catch (InterruptedException | CancellationException e) {
              answer.complete(new Answer(address, null, e));
            }
          },
          MoreExecutors.directExecutor());
      asked.add(answer);
    }
    return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> asked.stream().map(CompletableFuture::join).toList());
  }

  /** Takes the peers that answered into the pool; fails if none did. */
  private synchronized Lease adopt(List<Answer> answers, Throwable error, boolean first) {
    discovering = null;
    if (closed) {
      throw new RejectedExecutionException("cluster pool is shut down");
    }
    if (error != null) {
      Throwable cause = error instanceof CompletionException ? error.getCause() : error;
      throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
    }
    Map<InetSocketAddress, Peer> next = new LinkedHashMap<>();
    List<String> silent = new ArrayList<>();
    for (Answer a : answers) {
      if (a.capacity() == null || a.capacity().getWorkers() < 1) {
        silent.add(label(a.address()) + ": " + describe(a));
        continue;
      }
      Peer known = members.get(a.address());
      if (known != null && !known.lost && known.workers == a.capacity().getWorkers()) {
        next.put(a.address(), known); // its tokens are in the queue or with busy threads
        continue;
      }
      if (known != null) {
        known.lost = true;
      }
      Peer peer = new Peer(label(a.address()), a.capacity().getWorkers(), stub(a.address()));
      next.put(a.address(), peer);
      for (int i = 0; i < peer.workers; i++) {
        free.add(new Slot(peer, i));
      }
    }
    for (Map.Entry<InetSocketAddress, Peer> old : members.entrySet()) {
      if (!next.containsKey(old.getKey())) {
        old.getValue().lost = true;
      }
    }
    if (next.isEmpty()) {
      members = Map.of();
      liveWorkers = 0;
      throw new PeersUnavailableException(
          "cluster pool: no peer of --peers="
              + targets
              + " answered"
              + (silent.isEmpty() ? " (it resolved to no address)" : ": " + silent));
    }
    members = next;
    int total = next.values().stream().mapToInt(p -> p.workers).sum();
    liveWorkers = total;
    if (executor == null) {
      executor =
          new ThreadPoolExecutor(
              total,
              total,
              0,
              TimeUnit.MILLISECONDS,
              new LinkedBlockingQueue<>(),
              new ThreadFactoryBuilder()
                  .setNameFormat("fibperf-cluster-%d")
                  .setDaemon(true)
                  .build());
      executor.prestartAllCoreThreads();
      observer.poolCreated(METRICS_NAME, executor);
    } else if (total > executor.getMaximumPoolSize()) {
      executor.setMaximumPoolSize(total);
      executor.setCorePoolSize(total);
    } else {
      executor.setCorePoolSize(total);
      executor.setMaximumPoolSize(total);
    }
    discoveredAtNanos = System.nanoTime();
    stale = false;
    return lease(first);
  }

  private static String describe(Answer a) {
    if (a.error() == null) {
      return "reported " + a.capacity().getWorkers() + " workers";
    }
    if (a.error() instanceof IllegalArgumentException refused) {
      return refused.getMessage();
    }
    Status s = Status.fromThrowable(a.error());
    return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
  }

  @GuardedBy("this")
  private Lease lease(boolean cold) {
    return new Lease(executor, cold, observer, kernel, PoolKind.CLUSTER, liveWorkers);
  }

  private static String label(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /**
   * A stub for the peer at {@code address}, over the cluster's credentials.
   *
   * @throws IllegalArgumentException if the credentials forbid dialling it (plaintext, not
   *     loopback)
   */
  private synchronized PeerServiceGrpc.PeerServiceFutureStub stub(InetSocketAddress address) {
    ManagedChannel channel = channels.get(address);
    if (channel == null) {
      channel = credentials.dial(address.getHostString(), address);
      channels.put(address, channel);
    }
    return PeerServiceGrpc.newFutureStub(channel)
        .withCallCredentials(credentials.callCredentials());
  }

  private final TaskKernel kernel =
      new TaskKernel() {
        @Override
        public Result compute(
            Algorithm algorithm, Task task, CancellationToken token, TaskContext context) {
          return ClusterPool.this.compute(algorithm, task, token, context, name -> {});
        }

        @Override
        public Result compute(
            Algorithm algorithm,
            Task task,
            CancellationToken token,
            TaskContext context,
            Consumer<String> startedOn) {
          return ClusterPool.this.compute(algorithm, task, token, context, startedOn);
        }
      };

  /**
   * Sends the task to a free peer worker, and to another if that peer is lost under it. The first
   * worker taken is the one the task started on; the result names the one that finished it (the
   * same, unless a peer was lost under the task).
   */
  private TaskKernel.Result compute(
      Algorithm algorithm,
      Task task,
      CancellationToken token,
      TaskContext context,
      Consumer<String> startedOn) {
    ComputeRequest request =
        ComputeRequest.newBuilder()
            .setN(task.n())
            .setKernel(PeerProtocol.kernel(algorithm))
            .build();
    Metadata coordinatorRun = new Metadata();
    coordinatorRun.put(
        PeerProtocol.COORDINATOR_RUN, PeerProtocol.coordinatorRun(instance, context.runId()));
    List<String> failed = new ArrayList<>();
    long waitedNanos = 0;
    boolean started = false;
    while (true) {
      long t0 = System.nanoTime();
      Slot slot = takeFree(task, token, failed);
      waitedNanos += System.nanoTime() - t0;
      if (!started) {
        started = true;
        startedOn.accept(slot.name());
      }
      Peer peer = slot.peer();
      PeerServiceGrpc.PeerServiceFutureStub stub =
          peer.stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(coordinatorRun));
      if (context.hasDeadline()) {
        stub =
            stub.withDeadlineAfter(
                Math.max(0, context.deadlineNanoTime() - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      ListenableFuture<ComputeResponse> call = stub.compute(request);
      Status failure;
      try (CancellationToken.Registration r = token.onCancel(() -> call.cancel(true))) {
        ComputeResponse done = call.get();
        free.add(slot);
        return new TaskKernel.Result(
            new BigInteger(done.getValue()),
            new TaskTiming(done.getElapsedNanos(), done.getCpuNanos()),
            slot.name(),
            waitedNanos + done.getQueueNanos(),
            failed);
      } catch (CancellationException e) {
        free.add(slot);
        throw e;
      } catch (InterruptedException e) {
        call.cancel(true);
        free.add(slot);
        Thread.currentThread().interrupt();
        throw new CancellationException("interrupted");
      } catch (ExecutionException e) {
        failure = Status.fromThrowable(e.getCause());
      }
      if (token.isCancelled() || failure.getCode() == Status.Code.DEADLINE_EXCEEDED) {
        free.add(slot);
        throw new CancellationException("run cancelled: " + failure);
      }
      if (failure.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        // The peer is full of other coordinators' tasks: not a failure of this task. Its worker
        // comes back to the pool a little later, and the task goes to whichever is free first.
        long t1 = System.nanoTime();
        token.throwIfCancelled();
        LockSupport.parkNanos(FULL_PEER_BACKOFF_NANOS);
        free.add(slot);
        waitedNanos += System.nanoTime() - t1;
        continue;
      }
      // UNAVAILABLE: the peer died or is draining. CANCELLED that this run did not ask for: the
      // peer reset the call as it shut down. Either way the task is lost there, not wrong.
      if (failure.getCode() != Status.Code.UNAVAILABLE
          && failure.getCode() != Status.Code.CANCELLED) {
        free.add(slot);
        throw new PeerRefusedException(
            String.format(
                "cluster pool: peer %s refused nums[%d]=%d: %s%s",
                peer.address,
                task.index(),
                task.n(),
                failure.getCode(),
                failure.getDescription() == null ? "" : ": " + failure.getDescription()));
      }
      lose(peer);
      failed.add(
          "peer "
              + peer.address
              + ": "
              + failure.getCode()
              + (failure.getDescription() == null ? "" : ": " + failure.getDescription()));
      if (failed.size() >= MAX_ATTEMPTS) {
        throw unavailable(task, failed);
      }
    }
  }

  /** How long a worker of a full peer stays out of the pool before it is tried again. */
  private static final long FULL_PEER_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /** A free worker of a live peer; waits while all are busy. */
  private Slot takeFree(Task task, CancellationToken token, List<String> failed) {
    while (true) {
      token.throwIfCancelled();
      if (liveWorkers == 0) {
        throw unavailable(task, failed);
      }
      Slot slot;
      try {
        slot = free.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("interrupted");
      }
      if (slot != null && !slot.peer().lost) {
        return slot;
      }
    }
  }

  private static RuntimeException unavailable(Task task, List<String> failed) {
    return new PeersUnavailableException(
        String.format(
            "cluster pool: nums[%d]=%d found no live peer after %d attempt(s)%s",
            task.index(), task.n(), failed.size(), failed.isEmpty() ? "" : ": " + failed));
  }

  /** Drops a peer that failed a call: its workers leave the pool, and the next call looks again. */
  private synchronized void lose(Peer peer) {
    if (peer.lost) {
      return;
    }
    peer.lost = true;
    stale = true;
    Map<InetSocketAddress, Peer> next = new LinkedHashMap<>(members);
    if (next.values().removeIf(p -> p == peer)) {
      members = next;
      liveWorkers = next.values().stream().mapToInt(p -> p.workers).sum();
    }
  }

  /** Stops the threads and closes the channels (cancelling calls in flight); acquires fail. */
  @Override
  public void close() {
    ThreadPoolExecutor toStop;
    List<ManagedChannel> toClose;
    synchronized (this) {
      closed = true;
      toStop = executor;
      toClose = List.copyOf(channels.values());
    }
    discovery.shutdownNow();
    if (toStop != null) {
      toStop.shutdownNow();
    }
    toClose.forEach(ManagedChannel::shutdownNow);
    if (toStop != null) {
      MoreExecutors.shutdownAndAwaitTermination(toStop, Duration.ofSeconds(5));
    }
  }
}
