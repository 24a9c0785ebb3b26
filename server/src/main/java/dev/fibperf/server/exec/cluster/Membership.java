package dev.fibperf.server.exec.cluster;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.proto.cluster.v1.CapacityRequest;
import dev.fibperf.proto.cluster.v1.CapacityResponse;
import dev.fibperf.proto.cluster.v1.PeerServiceGrpc;
import dev.fibperf.server.peer.ClusterCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Membership: which peers are in the pool. A look resolves {@link PeerTargets} and asks each
 * address for its {@code Capacity}; peers that answer join ({@link FreeWorkers#join}), and peers
 * that left or changed size leave. A peer that fails a call is {@linkplain #lose lost} at once and
 * the next look is due. Owns the channels to the peers.
 */
final class Membership {
  /** Peers that have not answered {@code Capacity} in this time are left out of the pool. */
  static final Duration CAPACITY_TIMEOUT = Duration.ofSeconds(2);

  private final PeerTargets targets;
  private final ClusterCredentials credentials;
  private final FreeWorkers free;

  @GuardedBy("this")
  private final Map<InetSocketAddress, ManagedChannel> channels = new HashMap<>();

  @GuardedBy("this")
  private Map<InetSocketAddress, Peer> members = Map.of();

  @GuardedBy("this")
  private boolean stale;

  Membership(PeerTargets targets, ClusterCredentials credentials, FreeWorkers free) {
    this.targets = targets;
    this.credentials = credentials;
    this.free = free;
  }

  /** Whether a peer was lost since the last look. */
  synchronized boolean stale() {
    return stale;
  }

  /**
   * Looks at the peers again: resolves the targets on {@code executor}, asks each for its capacity,
   * and adopts those that answered.
   *
   * @return completes with the live workers, or fails with {@link PeersUnavailableException} when
   *     no peer answered
   */
  CompletableFuture<Integer> look(Executor executor) {
    return CompletableFuture.supplyAsync(this::resolve, executor)
        .thenCompose(this::askCapacities)
        .thenApply(this::adopt);
  }

  private List<InetSocketAddress> resolve() {
    try {
      return targets.resolve();
    } catch (UnknownHostException e) {
      throw new PeersUnavailableException(
          "cluster pool: --peers=" + targets + " does not resolve: " + e);
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
  private synchronized int adopt(List<Answer> answers) {
    Map<InetSocketAddress, Peer> next = new LinkedHashMap<>();
    List<String> silent = new ArrayList<>();
    for (Answer a : answers) {
      if (a.capacity() == null || a.capacity().getWorkers() < 1) {
        silent.add(Peer.label(a.address()) + ": " + describe(a));
        continue;
      }
      Peer known = members.get(a.address());
      if (known != null && !known.lost() && known.workers == a.capacity().getWorkers()) {
        next.put(a.address(), known); // its workers are free or with busy tasks
        continue;
      }
      Peer peer = new Peer(Peer.label(a.address()), a.capacity().getWorkers(), stub(a.address()));
      next.put(a.address(), peer);
    }
    for (Map.Entry<InetSocketAddress, Peer> old : members.entrySet()) {
      if (next.get(old.getKey()) != old.getValue()) {
        leave(old.getValue());
      }
    }
    for (Map.Entry<InetSocketAddress, Peer> now : next.entrySet()) {
      if (members.get(now.getKey()) != now.getValue()) {
        free.join(now.getValue());
      }
    }
    members = next;
    stale = false;
    if (next.isEmpty()) {
      throw new PeersUnavailableException(
          "cluster pool: no peer of --peers="
              + targets
              + " answered"
              + (silent.isEmpty() ? " (it resolved to no address)" : ": " + silent));
    }
    return free.live();
  }

  @GuardedBy("this")
  private void leave(Peer peer) {
    if (!peer.lost()) {
      peer.markLost();
      free.leave(peer);
    }
  }

  /** Drops a peer that failed a call: its workers leave the pool, and the next call looks again. */
  synchronized void lose(Peer peer) {
    if (peer.lost()) {
      return;
    }
    leave(peer);
    stale = true;
    Map<InetSocketAddress, Peer> next = new LinkedHashMap<>(members);
    if (next.values().removeIf(p -> p == peer)) {
      members = next;
    }
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

  /** Closes every channel, cancelling the calls in flight. */
  void close() {
    List<ManagedChannel> toClose;
    synchronized (this) {
      toClose = List.copyOf(channels.values());
    }
    toClose.forEach(ManagedChannel::shutdownNow);
  }

  /** Unwraps a look's failure to what callers are told. */
  static RuntimeException cause(Throwable error) {
    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
    return cause instanceof RuntimeException r ? r : new CompletionException(cause);
  }
}
