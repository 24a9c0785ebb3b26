package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.client.CompareOptions;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfSettings;
import dev.fibperf.client.Note;
import dev.fibperf.client.NoteKind;
import dev.fibperf.client.PoolKind;
import dev.fibperf.client.RunInfo;
import dev.fibperf.client.RunMethod;
import dev.fibperf.client.TaskFinished;
import dev.fibperf.client.Verdict;
import dev.fibperf.client.Workload;
import dev.fibperf.server.testing.FibOracle;
import dev.fibperf.server.testing.SelfSignedCert;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run across three real server processes on 127.0.0.2-4 (one worker each), each listing all
 * three as its {@code --peers}, as a cluster is deployed: TLS with one certificate for the three,
 * and a cluster secret. A Compare on the cluster pool counts their three workers and spreads its
 * tasks over them; a peer killed with SIGKILL mid-phase has its task run again on another, and the
 * result says so; the CLI prints the same.
 */
class ClusterIT {
  private static final List<String> HOSTS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");

  @Test
  void compareOnTheClusterPool_countsEveryPeersWorkers_andSurvivesAPeerKilledMidPhase(
      @TempDir Path dir) throws Exception {
    SelfSignedCert cert = SelfSignedCert.create(dir, "fibperf-cluster", HOSTS);
    Path secret = dir.resolve("cluster-secret");
    Files.writeString(secret, "cluster-it-" + "0123456789abcdef".repeat(3) + "\n");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOSTS.get(0)))) {
      port = s.getLocalPort();
    }
    String peers = HOSTS.stream().map(h -> h + ":" + port).collect(Collectors.joining(","));
    List<ReplicaProcess> replicas = new ArrayList<>();
    try {
      for (String host : HOSTS) {
        replicas.add(
            new ReplicaProcess(
                host,
                port,
                cert.cert(),
                "--peers",
                peers,
                "--tls-cert-chain",
                cert.cert().toString(),
                "--tls-private-key",
                cert.key().toString(),
                "--cluster-secret-file",
                secret.toString()));
      }
      // One call to each first: a replica's first call is its slowest (classes load, nothing is
      // compiled), and a peer that takes over 2 s to answer Capacity is left out of the pool; at
      // load 10 one did, and the Compare counted 2 workers.
      for (ReplicaProcess r : replicas) {
        r.runs();
      }
      FibPerfSettings settings =
          FibPerfSettings.newBuilder(HOSTS.get(0) + ":" + port)
              .defaultDeadline(Duration.ofMinutes(2))
              .tls(cert.cert())
              .build();
      try (FibPerfClient client = FibPerfClient.create(settings)) {
        Comparison clean =
            client.compare(
                Workload.of(27, 28, 29, 27, 28, 29).withPool(PoolKind.CLUSTER),
                CompareOptions.DEFAULT);
        assertEquals(3, clean.workers(), "the three peers' one worker each");
        assertEquals(PoolKind.CLUSTER, clean.parallel().pool());
        assertEquals(0, clean.parallel().tasksRerun());
        Set<String> peersUsed = new java.util.HashSet<>();
        for (TaskFinished t : clean.parallel().results()) {
          assertEquals(FibOracle.fib(t.n()), t.number());
          peersUsed.add(t.worker().substring(0, t.worker().indexOf('/')));
        }
        assertEquals(Set.of(peers.split(",")), peersUsed);
        // Each peer ran its share as runs of its own, each naming the Compare it is part of: the
        // six tasks of the parallel phase, and the warm-up's before them.
        int shares = 0;
        for (ReplicaProcess r : replicas) {
          for (RunInfo share :
              r.direct.listRuns(dev.fibperf.client.RunQuery.all().pageSize(1000)).recent()) {
            if (share.coordinatorRun().isPresent()) {
              assertEquals(clean.runId(), share.coordinatorRun().get().runId());
              assertEquals(RunMethod.SERIAL, share.method());
              shares++;
            }
          }
        }
        assertTrue(shares >= 6, shares + " peer runs for six tasks");

        // SIGKILL the third peer while the parallel phase has a task on each. A Compare's events
        // arrive after its rounds, so the peer itself says when: an in-flight run of fib(41) for a
        // coordinator (the warm-up's tasks are smaller).
        ReplicaProcess victim = replicas.get(2);
        String victimAddress = HOSTS.get(2) + ":" + port;
        java.util.concurrent.CompletableFuture<Comparison> running =
            java.util.concurrent.CompletableFuture.supplyAsync(
                () ->
                    client.compare(
                        Workload.of(41, 41, 41).withPool(PoolKind.CLUSTER),
                        CompareOptions.DEFAULT.withRounds(1)));
        while (victim.direct.listRuns().inFlight().stream()
            .noneMatch(r -> r.coordinatorRun().isPresent() && r.nums().equals(List.of(41)))) {
          assertFalse(running.isDone(), "the Compare ended before its share reached the peer");
          Thread.onSpinWait();
        }
        victim.process.destroyForcibly();
        Comparison survived = running.get(2, java.util.concurrent.TimeUnit.MINUTES);
        assertEquals(1, survived.parallel().tasksRerun(), survived.notes().toString());
        assertEquals(Verdict.WORKER_LOST, survived.verdict());
        TaskFinished rerun =
            survived.parallel().results().stream().filter(t -> t.attempts() > 1).findFirst().get();
        assertTrue(
            rerun.failedAttempts().get(0).startsWith("peer " + victimAddress + ": UNAVAILABLE"),
            rerun.failedAttempts().toString());
        for (TaskFinished t : survived.parallel().results()) {
          assertEquals(FibOracle.fib(41), t.number());
          assertTrue(!t.worker().startsWith(victimAddress), t.worker());
        }
        Note lost =
            survived.notes().stream()
                .filter(n -> n.kind() == NoteKind.WORKER_LOST)
                .findFirst()
                .orElseThrow();
        assertEquals(1, lost.count("tasks_rerun"));

        // The next run knows two peers; the CLI prints the cluster run like any other.
        FibPerfCliTest.Run cli =
            FibPerfCliTest.fibperf(
                "parallel",
                "--nums",
                "25,26",
                "--pool",
                "CLUSTER",
                "--target",
                HOSTS.get(0) + ":" + port,
                "--tls",
                "--ca-cert",
                cert.cert().toString());
        assertEquals(0, cli.exit(), cli.err());
        assertTrue(cli.out().contains("parallelism 2, "), cli.out());
        assertTrue(cli.out().contains("cluster pool"), cli.out());
      }
    } finally {
      for (ReplicaProcess r : replicas) {
        r.close();
      }
    }
  }
}
