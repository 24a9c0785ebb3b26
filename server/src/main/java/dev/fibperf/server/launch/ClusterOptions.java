package dev.fibperf.server.launch;

import dev.fibperf.server.peer.ClusterCredentials;
import java.io.File;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Option;

/** How replicas of one cluster prove themselves to each other (the peers are a server option). */
public final class ClusterOptions {
  private static final Logger LOG = Logger.getLogger(ClusterOptions.class.getName());

  @Option(
      names = "--cluster-secret-file",
      paramLabel = "FILE",
      defaultValue = "${env:FIBPERF_CLUSTER_SECRET_FILE}",
      description =
          "The secret every replica of the cluster shares, at least 32 printable characters"
              + " (openssl rand -hex 32): each peer call carries it, and the peer service refuses"
              + " calls without it (FIBPERF_CLUSTER_SECRET_FILE; needed with --peers).")
  File clusterSecretFile;

  @Option(
      names = "--cluster-ca",
      paramLabel = "FILE",
      defaultValue = "${env:FIBPERF_CLUSTER_CA}",
      description =
          "PEM certificate(s) of the CA that signed the replicas' certificates: a coordinator"
              + " sends the cluster secret only to a peer whose certificate chains to it and names"
              + " the host in --peers (FIBPERF_CLUSTER_CA; default: --tls-cert-chain itself, for"
              + " replicas that share one certificate).")
  File clusterCa;

  @Option(
      names = ClusterCredentials.PLAINTEXT_FLAG,
      description =
          "Let peer calls go without TLS, to and from loopback addresses only (a cluster on one"
              + " machine, for tests): the cluster secret then crosses loopback in the clear.")
  boolean insecurePlaintextPeers;

  /**
   * How this replica's peer calls are made and checked: TLS to peers the cluster CA vouches for, or
   * plaintext between loopback addresses when asked for by name; the cluster secret either way.
   */
  public ClusterCredentials credentials(TlsOptions tls) throws IOException {
    if (clusterSecretFile == null) {
      throw new IllegalArgumentException(
          "--peers needs --cluster-secret-file: without the cluster's secret anyone could hand"
              + " this replica work, past every limit of the public service");
    }
    String secret = ClusterCredentials.readSecret(clusterSecretFile.toPath());
    if (insecurePlaintextPeers) {
      if (tls.enabled()) {
        throw new IllegalArgumentException(
            ClusterCredentials.PLAINTEXT_FLAG
                + " and --tls-cert-chain: peers use TLS when the"
                + " server does; drop the flag");
      }
      LOG.log(
          Level.WARNING,
          ClusterCredentials.PLAINTEXT_FLAG
              + ": peer calls are plaintext, to and from loopback addresses only; the cluster"
              + " secret crosses loopback in the clear");
      return ClusterCredentials.plaintextOnLoopback(secret);
    }
    if (!tls.enabled()) {
      throw new IllegalArgumentException(
          "--peers needs TLS (--tls-cert-chain and --tls-private-key): peer calls carry the"
              + " cluster secret, which must not cross the network in the clear; "
              + ClusterCredentials.PLAINTEXT_FLAG
              + " allows plaintext between loopback addresses, for tests");
    }
    return ClusterCredentials.tls(
        secret, clusterCa == null ? tls.certChain() : clusterCa, tls.certChain(), tls.privateKey());
  }
}
