package dev.fibperf.client;

/**
 * A server's answer to a health check ({@code grpc.health.v1}), as {@link FibPerfClient#health()}
 * reads it.
 */
public enum ServingStatus {
  /** Taking calls. */
  SERVING,
  /** Up but not taking calls, for example while draining before shutdown. */
  NOT_SERVING,
  /** The server does not know the service asked about. */
  SERVICE_UNKNOWN,
  /** The server did not say. */
  UNKNOWN
}
