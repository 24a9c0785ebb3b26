package dev.fibperf.server.exec.cluster;

/**
 * No peer can take a task: none answered, the names in --peers do not resolve, or every peer tried
 * was lost under the task. Transient: the caller may retry, and replicas may come back.
 */
public final class PeersUnavailableException extends RuntimeException {
  public PeersUnavailableException(String message) {
    super(message);
  }
}
