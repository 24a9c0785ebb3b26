package dev.fibperf.server.service;

import dev.fibperf.server.compute.KernelFailedException;
import dev.fibperf.server.exec.PoolNotConfiguredException;
import dev.fibperf.server.exec.cluster.PeerRefusedException;
import dev.fibperf.server.exec.cluster.PeersUnavailableException;
import dev.fibperf.server.exec.process.WorkerDiedException;
import dev.fibperf.server.exec.process.WorkerStartException;
import dev.fibperf.server.run.PoolTooSmallException;
import dev.fibperf.server.run.RunRejectedException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Why a call ended, as the status its caller gets. Pure. Only the request mapper's statuses say
 * INVALID_ARGUMENT or FAILED_PRECONDITION; anything this does not recognise is a bug of ours:
 * INTERNAL, never blamed on the caller.
 */
public final class StatusMapping {
  private StatusMapping() {}

  /**
   * @param deadlineExpired whether the call's deadline had passed when it was cancelled
   */
  public static Status toStatus(Throwable cause, boolean deadlineExpired) {
    if (cause instanceof StatusException e) {
      return e.getStatus();
    }
    if (cause instanceof StatusRuntimeException e) {
      return e.getStatus();
    }
    if (cause instanceof RunRejectedException rejected) {
      switch (rejected.reason()) {
        case AT_CAPACITY:
        case EXCLUSIVE_RUN:
          return Status.RESOURCE_EXHAUSTED.withDescription(rejected.getMessage());
        case DRAINING:
          return Status.UNAVAILABLE.withDescription(rejected.getMessage());
      }
      throw new AssertionError(rejected.reason());
    }
    if (cause instanceof CancellationException) {
      return deadlineExpired
          ? Status.DEADLINE_EXCEEDED.withDescription("deadline passed; run stopped")
          : Status.CANCELLED.withDescription("cancelled by the client; run stopped");
    }
    if (cause instanceof WorkerDiedException
        || cause instanceof WorkerStartException
        || cause instanceof PeersUnavailableException) {
      return Status.UNAVAILABLE.withDescription(cause.getMessage());
    }
    if (cause instanceof PeerRefusedException || cause instanceof PoolNotConfiguredException) {
      return Status.FAILED_PRECONDITION.withDescription(cause.getMessage());
    }
    if (cause instanceof PoolTooSmallException) {
      return Status.FAILED_PRECONDITION.withDescription(cause.getMessage());
    }
    if (cause instanceof KernelFailedException) {
      // The user's kernel failed its task (it names the kernel and the exception); not a fault of
      // the server, whose pool goes on.
      return Status.UNKNOWN.withDescription(cause.getMessage());
    }
    if (cause instanceof RejectedExecutionException) {
      return Status.UNAVAILABLE.withDescription("server is shutting down");
    }
    return Status.INTERNAL.withDescription("internal error: " + cause).withCause(cause);
  }

  /** Whether {@code status} is a bug of ours, to be logged with its stack. */
  static boolean isInternal(Status status) {
    return status.getCode() == Status.Code.INTERNAL;
  }
}
