package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfException;
import dev.fibperf.client.FibPerfSettings;
import dev.fibperf.client.Workload;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three real server processes on 127.0.0.2-4, one port, behind one name that resolves to all three
 * (as a Kubernetes headless Service's does), called through the SDK with {@code round_robin}: calls
 * spread evenly; a replica sent SIGTERM mid-load drains without failing a call; one killed with
 * SIGKILL fails only the calls it had in flight, with UNAVAILABLE, and new calls go to the others.
 */
class ReplicasIT {
  private static final String SCHEME = "fibperf-replicas-test";
  private static final List<String> HOSTS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");
  private static final Map<String, List<SocketAddress>> NAMES = new ConcurrentHashMap<>();
  private static final NameResolverProvider RESOLVER = new StaticResolverProvider();

  @BeforeAll
  static void registerResolver() {
    NameResolverRegistry.getDefaultRegistry().register(RESOLVER);
  }

  @AfterAll
  static void deregisterResolver() {
    NameResolverRegistry.getDefaultRegistry().deregister(RESOLVER);
  }

  @Test
  void roundRobin_spreadsCalls_survivesADrain_andLosesOnlyAKilledReplicasCalls() throws Exception {
    int port = freePort();
    List<ReplicaProcess> replicas = new ArrayList<>();
    ExecutorService load = Executors.newFixedThreadPool(6);
    try {
      for (String host : HOSTS) {
        replicas.add(new ReplicaProcess(host, port));
      }
      List<SocketAddress> addresses = new ArrayList<>();
      for (String host : HOSTS) {
        addresses.add(new InetSocketAddress(host, port));
      }
      NAMES.put("replicas", addresses);
      FibPerfSettings settings =
          FibPerfSettings.newBuilder(SCHEME + ":///replicas")
              .loadBalancing("round_robin")
              .defaultDeadline(Duration.ofMinutes(1))
              .build();
      try (FibPerfClient client = FibPerfClient.create(settings)) {
        // Until every replica is connected and has said SERVING, round robin skips the others.
        for (ReplicaProcess r : replicas) {
          r.awaitRuns(0);
        }
        for (int i = 0; i < 30 && !replicas.stream().allMatch(r -> r.runs() > 0); i++) {
          client.serial(Workload.of(15));
        }
        List<Integer> before = replicas.stream().map(ReplicaProcess::runs).toList();
        for (int i = 0; i < 30; i++) {
          client.serial(Workload.of(15));
        }
        for (int i = 0; i < 3; i++) {
          assertEquals(
              10, replicas.get(i).runs() - before.get(i), "replica " + HOSTS.get(i) + "'s share");
        }

        // SIGTERM mid-load: the draining replica finishes what it has; nothing fails.
        Load drain = new Load(client, load);
        drain.awaitCalls(20);
        ReplicaProcess drained = replicas.get(0);
        drained.process.toHandle().destroy();
        assertTrue(drained.process.waitFor(60, TimeUnit.SECONDS), "drained replica exited");
        int runsAtExit = drained.runs;
        drain.awaitCalls(drain.succeeded.get() + 30);
        drain.stop();
        assertEquals(List.of(), drain.failures, "calls failed across a drain");
        assertEquals(0, drained.process.exitValue());

        // SIGKILL mid-load: only the killed replica's calls in flight fail, with UNAVAILABLE.
        Load kill = new Load(client, load);
        kill.awaitCalls(kill.succeeded.get() + 20);
        ReplicaProcess killed = replicas.get(1);
        killed.process.destroyForcibly();
        killed.process.waitFor(30, TimeUnit.SECONDS);
        kill.awaitCalls(kill.succeeded.get() + 30);
        kill.stop();
        assertTrue(kill.failures.size() <= Load.CONCURRENCY, kill.failures.toString());
        for (Throwable f : kill.failures) {
          // UNAVAILABLE, or grpc-java's UNKNOWN "channel closed" when the kill lands during a
          // write on that connection (grpc/grpc-java#7376, #10120): both the transport's.
          assertTrue(
              f instanceof FibPerfException e
                  && (e.code() == Status.Code.UNAVAILABLE
                      || (e.code() == Status.Code.UNKNOWN
                          && String.valueOf(e.getMessage()).contains("channel closed"))),
              f.toString());
        }
        // And the survivor takes every new call.
        ReplicaProcess survivor = replicas.get(2);
        int survivorRuns = survivor.runs();
        for (int i = 0; i < 10; i++) {
          client.serial(Workload.of(15));
        }
        assertEquals(survivorRuns + 10, survivor.runs());
        assertTrue(runsAtExit > 0, "the drained replica had served calls");
      }
    } finally {
      load.shutdownNow();
      for (ReplicaProcess r : replicas) {
        r.close();
      }
      NAMES.remove("replicas");
    }
  }

  /** Serial calls from {@link #CONCURRENCY} threads until stopped; failures are kept. */
  private static final class Load {
    static final int CONCURRENCY = 4;
    final AtomicInteger succeeded = new AtomicInteger();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Future<?>> threads = new ArrayList<>();

    Load(FibPerfClient client, ExecutorService executor) {
      for (int i = 0; i < CONCURRENCY; i++) {
        threads.add(
            executor.submit(
                () -> {
                  while (running.get()) {
                    try {
                      client.serial(Workload.of(24, 24)); // a few ms: calls are in flight
                      succeeded.incrementAndGet();
                    } catch (RuntimeException e) {
                      failures.add(e);
                    }
                  }
                }));
      }
    }

    void awaitCalls(int n) {
      org.awaitility.Awaitility.await(n + " calls succeeded")
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> succeeded.get() >= n);
    }

    void stop() throws Exception {
      running.set(false);
      for (Future<?> f : threads) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOSTS.get(0)))) {
      return s.getLocalPort();
    }
  }

  /** Resolves {@code fibperf-replicas-test:///<name>} to the addresses in {@link #NAMES}. */
  private static final class StaticResolverProvider extends NameResolverProvider {
    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
      if (!SCHEME.equals(target.getScheme())) {
        return null;
      }
      String name = target.getPath().substring(1);
      return new NameResolver() {
        @Override
        public String getServiceAuthority() {
          return name;
        }

        @Override
        public void start(Listener2 listener) {
          List<EquivalentAddressGroup> groups = new ArrayList<>();
          for (SocketAddress a : NAMES.getOrDefault(name, List.of())) {
            groups.add(new EquivalentAddressGroup(a));
          }
          listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
        }

        @Override
        public void shutdown() {}
      };
    }

    @Override
    public String getDefaultScheme() {
      return SCHEME;
    }

    @Override
    protected boolean isAvailable() {
      return true;
    }

    @Override
    protected int priority() {
      return 5;
    }

    @Override
    public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
      return List.of(InetSocketAddress.class);
    }
  }
}
