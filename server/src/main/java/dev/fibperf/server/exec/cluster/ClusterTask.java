package dev.fibperf.server.exec.cluster;

import dev.fibperf.proto.cluster.v1.ComputeRequest;
import dev.fibperf.proto.cluster.v1.ComputeResponse;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.exec.TaskKernel;
import dev.fibperf.server.exec.TaskTiming;
import dev.fibperf.server.peer.PeerProtocol;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * Failure and re-run: one task's attempts on the cluster. It takes a free peer worker, hands the
 * task off, and reads how the attempt ended: computed; the peer full of other coordinators' tasks
 * (its worker comes back a little later, the task goes to whichever is free first); the peer lost
 * (UNAVAILABLE: it died or drains; CANCELLED that the run did not ask for: it shut down) and the
 * task sent to another, up to {@link #MAX_ATTEMPTS}, since tasks are pure; or refused, which fails
 * the task with the peer's reason. Its result says how often it was tried and why.
 */
final class ClusterTask {
  /** A task that lost this many peers under it fails instead of trying again. */
  static final int MAX_ATTEMPTS = 3;

  /** How long a worker of a full peer stays out of the pool before it is tried again. */
  static final Duration FULL_PEER_BACKOFF = Duration.ofMillis(20);

  private final FreeWorkers free;
  private final Membership members;
  private final Handoff handoff;

  ClusterTask(FreeWorkers free, Membership members, Handoff handoff) {
    this.free = free;
    this.members = members;
    this.handoff = handoff;
  }

  /**
   * Runs the task on the cluster. The first worker taken is the one the task started on; the result
   * names the one that finished it (the same, unless a peer was lost under the task).
   */
  TaskKernel.Result compute(
      Algorithm algorithm,
      Task task,
      CancellationToken token,
      TaskContext context,
      Consumer<String> startedOn) {
    ComputeRequest request =
        PeerProtocol.kernel(ComputeRequest.newBuilder().setN(task.n()), algorithm).build();
    List<String> failed = new ArrayList<>();
    long waitedNanos = 0;
    boolean started = false;
    while (true) {
      long t0 = System.nanoTime();
      Peer.Slot slot = free.take(token, () -> unavailable(task, failed));
      waitedNanos += System.nanoTime() - t0;
      if (!started) {
        started = true;
        startedOn.accept(slot.name());
      }
      Handoff.Outcome outcome;
      try {
        outcome = handoff.send(slot, request, context, token);
      } catch (CancellationException e) {
        free.giveBack(slot);
        throw e;
      }
      if (outcome instanceof Handoff.Outcome.Computed computed) {
        free.giveBack(slot);
        ComputeResponse done = computed.response();
        return new TaskKernel.Result(
            done.getValue(),
            new TaskTiming(
                done.getElapsedNanos(),
                done.getCpuNanos(),
                done.hasCoreWaitNanos() ? done.getCoreWaitNanos() : -1),
            slot.name(),
            waitedNanos + done.getQueueNanos(),
            failed,
            false);
      }
      Handoff.Outcome.Failed failure = (Handoff.Outcome.Failed) outcome;
      Status.Code code = failure.status().getCode();
      if (token.isCancelled() || code == Status.Code.DEADLINE_EXCEEDED) {
        free.giveBack(slot);
        throw new CancellationException("run cancelled: " + failure.status());
      }
      if (code == Status.Code.RESOURCE_EXHAUSTED) {
        free.giveBackAfter(slot, FULL_PEER_BACKOFF);
        continue;
      }
      if (code != Status.Code.UNAVAILABLE && code != Status.Code.CANCELLED) {
        free.giveBack(slot);
        throw new PeerRefusedException(
            String.format(
                "cluster pool: peer %s refused nums[%d]=%d: %s",
                slot.peer().address, task.index(), task.n(), failure.describe()));
      }
      members.lose(slot.peer());
      failed.add("peer " + slot.peer().address + ": " + failure.describe());
      if (failed.size() >= MAX_ATTEMPTS) {
        throw unavailable(task, failed);
      }
    }
  }

  private static RuntimeException unavailable(Task task, List<String> failed) {
    return new PeersUnavailableException(
        String.format(
            "cluster pool: nums[%d]=%d found no live peer after %d attempt(s)%s",
            task.index(), task.n(), failed.size(), failed.isEmpty() ? "" : ": " + failed));
  }
}
