package dev.fibperf.server.exec.cluster;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.PoolNotConfiguredException;
import dev.fibperf.server.exec.PoolObserver;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.exec.TaskKernel;
import dev.fibperf.server.exec.TaskPool;
import dev.fibperf.server.peer.ClusterCredentials;
import dev.fibperf.server.peer.PeerEndpoint;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The worker threads of other replicas, as one pool: the replica that runs a call coordinates, and
 * sends each task to a peer that has a free worker, one gRPC call per task ({@link PeerEndpoint}).
 * Peer calls carry the cluster's credentials ({@link ClusterCredentials}): over TLS to peers whose
 * certificates the cluster CA signed, with the cluster secret.
 *
 * <p>Split by job: {@link Membership} finds the peers (on first use, and again when one is lost or
 * the last look is {@link #REDISCOVER_AFTER} old); {@link FreeWorkers} hands out their free
 * workers; {@link Handoff} sends one attempt; {@link ClusterTask} decides what a failed attempt
 * means and tries another peer. This class is the {@link TaskPool}: one thread per peer worker, so
 * tasks go out in the run's order (largest first) to whichever peer frees a worker first.
 * Cancelling a run cancels its calls, which stops the tasks on the peers; the caller's deadline
 * goes with each call.
 *
 * <p>Owns its threads and channels: {@link #close()} ends both.
 */
public final class ClusterPool implements TaskPool {
  /** The {@code name} tag of this pool's executor meters. */
  public static final String METRICS_NAME = "fibperf.cluster-pool";

  /** How long a look at the peers stands before the next call looks again (new replicas). */
  public static final Duration REDISCOVER_AFTER = Duration.ofSeconds(30);

  private final PoolObserver observer;
  // Looks at the peers, and gives full peers' workers back later.
  private final ScheduledExecutorService background =
      Executors.newSingleThreadScheduledExecutor(
          new ThreadFactoryBuilder()
              .setNameFormat("fibperf-cluster-membership")
              .setDaemon(true)
              .build());
  private final FreeWorkers free = new FreeWorkers(background);
  private final Membership members;
  private final ClusterTask tasks;

  @GuardedBy("this")
  private ThreadPoolExecutor executor;

  @GuardedBy("this")
  private CompletableFuture<Lease> discovering;

  @GuardedBy("this")
  private long discoveredAtNanos;

  @GuardedBy("this")
  private boolean closed;

  /**
   * @param instance this server's instance id, sent with each task: a peer that is this server
   *     itself knows the task is part of a run it holds the workers for
   */
  public ClusterPool(
      PeerTargets targets, ClusterCredentials credentials, String instance, PoolObserver observer) {
    this.members =
        new Membership(
            Objects.requireNonNull(targets, "targets"),
            Objects.requireNonNull(credentials, "credentials"),
            free);
    this.tasks = new ClusterTask(free, members, new Handoff(Objects.requireNonNull(instance)));
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
   * The pool as last discovered, or a look in progress, shared by every caller until it ends. Fails
   * with {@link PeersUnavailableException} when no peer answers.
   */
  @Override
  public synchronized CompletableFuture<Lease> acquireAsync() {
    if (closed) {
      return CompletableFuture.failedFuture(
          new RejectedExecutionException("cluster pool is shut down"));
    }
    boolean fresh = System.nanoTime() - discoveredAtNanos < REDISCOVER_AFTER.toNanos();
    if (executor != null && !members.stale() && fresh) {
      return CompletableFuture.completedFuture(lease(false));
    }
    if (discovering == null) {
      boolean first = executor == null;
      CompletableFuture<Lease> look;
      try {
        look = members.look(background).handle((workers, error) -> adopt(workers, error, first));
      } catch (RejectedExecutionException closing) {
        return CompletableFuture.failedFuture(closing);
      }
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

  /** Sizes the threads to the live workers a look found; fails as the look did. */
  private synchronized Lease adopt(Integer workers, Throwable error, boolean first) {
    discovering = null;
    if (closed) {
      throw new RejectedExecutionException("cluster pool is shut down");
    }
    if (error != null) {
      throw Membership.cause(error);
    }
    if (executor == null) {
      executor =
          new ThreadPoolExecutor(
              workers,
              workers,
              0,
              TimeUnit.MILLISECONDS,
              new LinkedBlockingQueue<>(),
              new ThreadFactoryBuilder()
                  .setNameFormat("fibperf-cluster-%d")
                  .setDaemon(true)
                  .build());
      executor.prestartAllCoreThreads();
      observer.poolCreated(METRICS_NAME, executor);
    } else if (workers > executor.getMaximumPoolSize()) {
      executor.setMaximumPoolSize(workers);
      executor.setCorePoolSize(workers);
    } else {
      executor.setCorePoolSize(workers);
      executor.setMaximumPoolSize(workers);
    }
    discoveredAtNanos = System.nanoTime();
    return lease(first);
  }

  @GuardedBy("this")
  private Lease lease(boolean cold) {
    return new Lease(executor, cold, observer, kernel, PoolKind.CLUSTER, free.live());
  }

  private final TaskKernel kernel =
      new TaskKernel() {
        @Override
        public Result compute(
            Algorithm algorithm, Task task, CancellationToken token, TaskContext context) {
          return tasks.compute(algorithm, task, token, context, name -> {});
        }

        @Override
        public Result compute(
            Algorithm algorithm,
            Task task,
            CancellationToken token,
            TaskContext context,
            Consumer<String> startedOn) {
          return tasks.compute(algorithm, task, token, context, startedOn);
        }
      };

  /** Stops the threads and closes the channels (cancelling calls in flight); acquires fail. */
  @Override
  public void close() {
    ThreadPoolExecutor toStop;
    synchronized (this) {
      closed = true;
      toStop = executor;
    }
    background.shutdownNow();
    if (toStop != null) {
      toStop.shutdownNow();
    }
    members.close();
    if (toStop != null) {
      MoreExecutors.shutdownAndAwaitTermination(toStop, Duration.ofSeconds(5));
    }
  }
}
