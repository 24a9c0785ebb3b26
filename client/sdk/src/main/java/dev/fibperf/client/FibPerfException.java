package dev.fibperf.client;

import io.grpc.Status;

/**
 * A fibperf call failed. Carries the gRPC status; subclasses name the failures callers handle
 * differently.
 *
 * <pre>{@code
 * try {
 *   client.serial(Workload.of(99));
 * } catch (InvalidRequestException e) {
 *   System.err.println(e.getMessage()); // nums[0]=99 exceeds max n 50 ...
 * }
 * }</pre>
 */
public class FibPerfException extends RuntimeException {
  private final Status status;

  FibPerfException(Status status, Throwable cause, String target) {
    super(describe(status, target), cause);
    this.status = status;
  }

  /** The gRPC status the call ended with: {@code e.status().getDescription()}. */
  public Status status() {
    return status;
  }

  /** The status code: {@code if (e.code() == Status.Code.RESOURCE_EXHAUSTED) retryLater();}. */
  public Status.Code code() {
    return status.getCode();
  }

  private static String describe(Status status, String target) {
    String where = target == null ? "" : " " + target;
    if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      // gRPC's own description lists its stream internals ("[closed=[],
      // open=[[buffered_nanos=...");
      // the status keeps it for those who want it.
      return "DEADLINE_EXCEEDED: no answer from"
          + (where.isEmpty() ? " the server" : where)
          + " within the call's deadline";
    }
    if (status.getDescription() == null) {
      return status.getCode().toString();
    }
    // A cause means the transport failed below gRPC; without one, the server itself answered.
    if (status.getCode() == Status.Code.UNAVAILABLE
        && target != null
        && status.getCause() != null) {
      String description = status.getDescription().lines().findFirst().orElse("");
      return "UNAVAILABLE: cannot reach " + target + ": " + description + transportDetail(status);
    }
    // Netty appends its channel pipeline on a second line: noise for a reader.
    String description = status.getDescription().lines().findFirst().orElse("");
    return status.getCode() + ": " + description + transportDetail(status);
  }

  /**
   * For a connection that failed below gRPC, what actually happened: gRPC's own description is
   * often just "io exception", whatever the cause (refused, wrong protocol, bad certificate).
   */
  private static String transportDetail(Status status) {
    if (status.getCode() != Status.Code.UNAVAILABLE) {
      return "";
    }
    Throwable root = status.getCause();
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != null && root.getClass().getSimpleName().equals("NotSslRecordException")) {
      return " (TLS handshake failed: the server speaks plaintext; connect without TLS)";
    }
    String tlsHint = "if the server uses TLS, connect with TLS";
    if ("Network closed for unknown reason".equals(status.getDescription())) {
      return " (" + tlsHint + ")";
    }
    if (root != null && root.getMessage() != null) {
      String message = root.getMessage().lines().findFirst().orElse("");
      // A TLS server resets a plaintext client's connection once it has read its first bytes.
      String hint = message.contains("Connection reset by peer") ? "; " + tlsHint : "";
      return " (" + root.getClass().getSimpleName() + ": " + message + hint + ")";
    }
    return "";
  }

  /**
   * Maps a gRPC failure to the most specific exception, naming {@code target} when the failure is
   * about reaching it.
   */
  static FibPerfException from(Throwable t, String target) {
    if (t instanceof FibPerfException) {
      return (FibPerfException) t;
    }
    Status status = Status.fromThrowable(t);
    switch (status.getCode()) {
      case INVALID_ARGUMENT:
      case FAILED_PRECONDITION:
      case OUT_OF_RANGE:
        return new InvalidRequestException(status, t, target);
      case RESOURCE_EXHAUSTED:
        return new ServerBusyException(status, t, target);
      case UNAVAILABLE:
        return new ServiceUnavailableException(status, t, target);
      case DEADLINE_EXCEEDED:
        return new DeadlineExceededException(status, t, target);
      case CANCELLED:
        return new CallCancelledException(status, t, target);
      default:
        return new FibPerfException(status, t, target);
    }
  }

  /** The request broke a server limit or rule (INVALID_ARGUMENT, FAILED_PRECONDITION). */
  public static final class InvalidRequestException extends FibPerfException {
    InvalidRequestException(Status status, Throwable cause, String target) {
      super(status, cause, target);
    }
  }

  /** The server is at its concurrent-run limit (RESOURCE_EXHAUSTED); retry later. */
  public static final class ServerBusyException extends FibPerfException {
    ServerBusyException(Status status, Throwable cause, String target) {
      super(status, cause, target);
    }
  }

  /** The server cannot be reached or is shutting down (UNAVAILABLE). */
  public static final class ServiceUnavailableException extends FibPerfException {
    ServiceUnavailableException(Status status, Throwable cause, String target) {
      super(status, cause, target);
    }
  }

  /** The call's deadline passed; the server stopped its work. */
  public static final class DeadlineExceededException extends FibPerfException {
    DeadlineExceededException(Status status, Throwable cause, String target) {
      super(status, cause, target);
    }
  }

  /** The call was cancelled, by this client or the server. */
  public static final class CallCancelledException extends FibPerfException {
    CallCancelledException(Status status, Throwable cause, String target) {
      super(status, cause, target);
    }
  }
}
