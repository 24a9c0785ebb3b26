package dev.fibperf.server.peer;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.PoolKind;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.Main;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.SelfSignedCert;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Replicas know each other by the cluster secret, sent only over TLS to a peer the cluster CA
 * vouches for; plaintext only between loopback addresses, and only when asked for by name.
 */
@Timeout(60)
class ClusterCredentialsTest {
  private static final String SECRET = "a-cluster-secret-of-more-than-32-characters";

  @Test
  void theSecret_isLongAndPrintable_orTheFileIsNamed(@TempDir Path dir) throws Exception {
    Path shortOne = Files.writeString(dir.resolve("short"), "abc\n");
    IllegalArgumentException tooShort =
        assertThrows(IllegalArgumentException.class, () -> ClusterCredentials.readSecret(shortOne));
    assertEquals(
        "--cluster-secret-file="
            + shortOne
            + ": the cluster secret has 3 characters, fewer than 32 (make one with: openssl rand"
            + " -hex 32)",
        tooShort.getMessage());
    Path spaced = Files.writeString(dir.resolve("spaced"), SECRET.replace('-', ' '));
    IllegalArgumentException unprintable =
        assertThrows(IllegalArgumentException.class, () -> ClusterCredentials.readSecret(spaced));
    assertTrue(unprintable.getMessage().endsWith("not printable ASCII at position 1"));
    assertEquals(
        SECRET, ClusterCredentials.readSecret(Files.writeString(dir.resolve("ok"), SECRET + "\n")));
  }

  @Test
  void aPeerCall_needsTls_orLoopbackWhenAllowed_andTheRightSecret(@TempDir Path dir)
      throws Exception {
    ClusterCredentials loopback = ClusterCredentials.plaintextOnLoopback(SECRET);
    InetSocketAddress local = new InetSocketAddress("127.0.0.1", 5000);
    InetSocketAddress remote = new InetSocketAddress("10.1.2.3", 5000);
    assertNull(loopback.refusal(false, local, SECRET));
    assertEquals(
        "PeerService is for this cluster's replicas, over TLS: a plaintext call is refused unless"
            + " it comes from a loopback address (--insecure-plaintext-peers-on-loopback)",
        loopback.refusal(false, remote, SECRET));
    assertEquals(
        "PeerService is for this cluster's replicas: the call carries no cluster secret",
        loopback.refusal(false, local, null));
    assertEquals(
        "PeerService is for this cluster's replicas: the call's cluster secret is wrong",
        loopback.refusal(false, local, SECRET + "x"));
    IllegalArgumentException notLoopback =
        assertThrows(IllegalArgumentException.class, () -> loopback.dial("10.1.2.3", remote));
    assertTrue(
        notLoopback.getMessage().startsWith("peer 10.1.2.3 is not a loopback address"),
        notLoopback.getMessage());

    SelfSignedCert cert = SelfSignedCert.create(dir);
    ClusterCredentials tls =
        ClusterCredentials.tls(
            SECRET, cert.cert().toFile(), cert.cert().toFile(), cert.key().toFile());
    assertEquals(
        "PeerService is for this cluster's replicas, over TLS: a plaintext call is refused",
        tls.refusal(false, local, SECRET));
    assertNull(tls.refusal(true, remote, SECRET));
  }

  private FibServer tlsReplica(SelfSignedCert cert, ClusterCredentials cluster, String peers)
      throws Exception {
    return FibServer.newBuilder(
            NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0),
                TlsServerCredentials.create(cert.cert().toFile(), cert.key().toFile())),
            ServerConfig.newBuilder()
                .workers(1)
                .profilingEnabled(false)
                .shutdownGrace(Duration.ZERO)
                .peers(peers)
                .build())
        .cluster(cluster)
        .build()
        .start();
  }

  /**
   * Over TLS, a coordinator spreads its tasks over peers whose certificate the cluster CA signed; a
   * peer with a certificate of its own is not sent the secret, and discovery says why.
   */
  @Test
  void overTls_peersTheClusterCaSigned_takeTasks_andAStrangerIsNotSentTheSecret(@TempDir Path dir)
      throws Exception {
    SelfSignedCert ours = SelfSignedCert.create(Files.createDirectory(dir.resolve("ours")));
    SelfSignedCert stranger = SelfSignedCert.create(Files.createDirectory(dir.resolve("other")));
    ClusterCredentials cluster =
        ClusterCredentials.tls(
            SECRET, ours.cert().toFile(), ours.cert().toFile(), ours.key().toFile());
    List<FibServer> servers = new ArrayList<>();
    ManagedChannel channel = null;
    try {
      FibServer peer = tlsReplica(ours, cluster, "localhost:1");
      servers.add(peer);
      FibServer impostor =
          tlsReplica(
              stranger,
              ClusterCredentials.tls(
                  SECRET,
                  stranger.cert().toFile(),
                  stranger.cert().toFile(),
                  stranger.key().toFile()),
              "localhost:1");
      servers.add(impostor);
      FibServer coordinator =
          tlsReplica(ours, cluster, "localhost:" + peer.port() + ",localhost:" + impostor.port());
      servers.add(coordinator);
      channel =
          Grpc.newChannelBuilderForAddress(
                  "localhost",
                  coordinator.port(),
                  TlsChannelCredentials.newBuilder().trustManager(ours.cert().toFile()).build())
              .build();
      var stub = FibPerfServiceGrpc.newBlockingStub(channel);

      List<ParallelResponse> events =
          drain(
              stub.parallel(
                  ParallelRequest.newBuilder()
                      .addNums(20)
                      .addNums(21)
                      .setPool(PoolKind.POOL_KIND_CLUSTER)
                      .build()));
      RunSummary summary = events.get(events.size() - 1).getSummary();
      assertEquals(1, summary.getParallelism(), "only the peer the cluster CA signed");
      assertEquals("6765", summary.getResults(0).getValue());
      assertTrue(
          summary.getResults(0).getWorker().endsWith(":" + peer.port() + "/0"),
          summary.getResults(0).getWorker());
      assertEquals(0, impostor.runs().inFlight().size() + impostor.runs().recent().size());

      // With only the stranger listed, no peer is left, and the status says why.
      servers.add(tlsReplica(ours, cluster, "localhost:" + impostor.port()));
      ManagedChannel second =
          Grpc.newChannelBuilderForAddress(
                  "localhost",
                  servers.get(3).port(),
                  TlsChannelCredentials.newBuilder().trustManager(ours.cert().toFile()).build())
              .build();
      try {
        StatusRuntimeException none =
            assertThrows(
                StatusRuntimeException.class,
                () ->
                    drain(
                        FibPerfServiceGrpc.newBlockingStub(second)
                            .parallel(
                                ParallelRequest.newBuilder()
                                    .addNums(20)
                                    .setPool(PoolKind.POOL_KIND_CLUSTER)
                                    .build())));
        assertEquals(Status.Code.UNAVAILABLE, none.getStatus().getCode());
        assertTrue(
            none.getStatus().getDescription().startsWith("cluster pool: no peer of --peers="),
            none.getStatus().getDescription());
      } finally {
        second.shutdownNow();
      }
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      for (FibServer s : servers) {
        s.stop();
      }
    }
  }

  private static String startupError(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = new CommandLine(new Main());
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    int exit = cli.execute(args);
    assertEquals(2, exit, "a usage error");
    return err.toString(StandardCharsets.UTF_8).lines().findFirst().orElse("");
  }

  @Test
  void theServer_refusesToStartAClusterWithoutTheSecret_orInPlaintext(@TempDir Path dir)
      throws Exception {
    assertEquals(
        "--peers needs --cluster-secret-file: without the cluster's secret anyone could hand"
            + " this replica work, past every limit of the public service",
        startupError("--port", "0", "--peers", "127.0.0.1:1"));
    Path secret = Files.writeString(dir.resolve("secret"), SECRET);
    assertEquals(
        "--peers needs TLS (--tls-cert-chain and --tls-private-key): peer calls carry the"
            + " cluster secret, which must not cross the network in the clear;"
            + " --insecure-plaintext-peers-on-loopback allows plaintext between loopback"
            + " addresses, for tests",
        startupError(
            "--port", "0", "--peers", "127.0.0.1:1", "--cluster-secret-file", secret.toString()));
  }
}
