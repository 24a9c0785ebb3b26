package dev.fibperf.server.exec.cluster;

/**
 * A peer refused a task for a reason that another attempt would meet again: its limits are lower
 * than this replica's, it does not know the kernel, or it does not take this replica's cluster
 * secret. The cluster is misconfigured, not the caller's request.
 */
public final class PeerRefusedException extends RuntimeException {
  public PeerRefusedException(String message) {
    super(message);
  }
}
