package dev.fibperf.server.exec.cluster;

import com.google.common.util.concurrent.ListenableFuture;
import dev.fibperf.proto.cluster.v1.ComputeRequest;
import dev.fibperf.proto.cluster.v1.ComputeResponse;
import dev.fibperf.proto.cluster.v1.PeerServiceGrpc;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.peer.PeerProtocol;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Hand-off: one attempt at a task on one peer worker, as one gRPC call that carries the task, the
 * coordinator's run (so a server that is its own peer knows its own runs) and the caller's
 * deadline. Cancelling the run cancels the call, which stops the task on the peer.
 */
final class Handoff {
  /** How one attempt ended: the peer's answer, or the status it failed with. */
  sealed interface Outcome {
    record Computed(ComputeResponse response) implements Outcome {}

    record Failed(Status status) implements Outcome {
      String describe() {
        return status.getCode()
            + (status.getDescription() == null ? "" : ": " + status.getDescription());
      }
    }
  }

  private final String instance;

  /**
   * @param instance this server's instance id
   */
  Handoff(String instance) {
    this.instance = instance;
  }

  /**
   * Sends the task to {@code slot}'s peer and waits for its answer.
   *
   * @throws CancellationException if the token was cancelled (the call is cancelled too) or the
   *     thread interrupted
   */
  Outcome send(
      Peer.Slot slot, ComputeRequest request, TaskContext context, CancellationToken token) {
    Metadata coordinatorRun = new Metadata();
    coordinatorRun.put(
        PeerProtocol.COORDINATOR_RUN, PeerProtocol.coordinatorRun(instance, context.runId()));
    PeerServiceGrpc.PeerServiceFutureStub stub =
        slot.peer()
            .stub
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(coordinatorRun));
    if (context.hasDeadline()) {
      stub =
          stub.withDeadlineAfter(
              Math.max(0, context.deadlineNanoTime() - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    ListenableFuture<ComputeResponse> call = stub.compute(request);
    try (CancellationToken.Registration r = token.onCancel(() -> call.cancel(true))) {
      return new Outcome.Computed(call.get());
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted");
    } catch (ExecutionException e) {
      return new Outcome.Failed(Status.fromThrowable(e.getCause()));
    }
  }
}
