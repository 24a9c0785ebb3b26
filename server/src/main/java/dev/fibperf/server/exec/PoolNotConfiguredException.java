package dev.fibperf.server.exec;

/** A run asked for a pool this server was not started with (the cluster pool without --peers). */
public final class PoolNotConfiguredException extends RuntimeException {
  public PoolNotConfiguredException(String message) {
    super(message);
  }
}
