package dev.fibperf.server.service;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.proto.v1.RunMethod;
import dev.fibperf.proto.v1.WatchRunsResponse;
import dev.fibperf.server.run.RunEvent;
import dev.fibperf.server.run.RunRegistry;
import dev.fibperf.server.run.RunRegistry.RunRecord;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * One WatchRuns call: a filter and a bounded buffer in front of its stream. Events come from the
 * registry on the runs' own threads, which must never wait for a watcher: when this watcher's
 * buffer is full, events are counted and dropped, and the next one that fits is preceded by how
 * many were lost.
 */
final class RunWatch implements RunRegistry.Watcher {
  /** Messages a watcher may have queued before it starts losing events. */
  static final int BUFFER = 256;

  private final long runId;
  private final RunMethod method;
  private final EventStream<WatchRunsResponse> stream;
  private final Messages messages;

  @GuardedBy("this")
  private long dropped;

  /**
   * @param runId only this run, or 0 for all
   * @param method only this method, or RUN_METHOD_UNSPECIFIED for all
   * @param onClosed runs once when the call ends, however it ends
   */
  RunWatch(
      ServerCallStreamObserver<WatchRunsResponse> observer,
      long runId,
      RunMethod method,
      Messages messages,
      Runnable onClosed) {
    this.runId = runId;
    this.method = method;
    this.messages = messages;
    this.stream = new EventStream<>(observer, BUFFER, () -> {}, onClosed);
  }

  boolean wants(RunRecord r) {
    return (runId == 0 || r.id() == runId)
        && (method == RunMethod.RUN_METHOD_UNSPECIFIED
            || RunsMapper.method(r.spec().kind()) == method);
  }

  /** Sends the snapshot of a run in flight when the watch began. */
  void inFlight(RunRecord r) {
    if (wants(r)) {
      offer(RunsMapper.inFlight(r));
    }
  }

  @Override
  public void onEvent(RunRecord record, RunEvent event) {
    if (!wants(record)) {
      return;
    }
    WatchRunsResponse message = messages.of(record, event);
    if (message == null) {
      return;
    }
    if (runId != 0 && message.hasFinished()) {
      stream.complete(message); // the one run watched is over
      return;
    }
    offer(message);
  }

  private synchronized void offer(WatchRunsResponse message) {
    if (!stream.hasRoom()) {
      dropped++;
      return;
    }
    if (dropped > 0) {
      stream.send(RunsMapper.dropped(dropped));
      dropped = 0;
    }
    stream.send(message);
  }

  /**
   * Each event's message, built once for all watchers: the registry hands an event to every watcher
   * in turn, under its lock, so the last one built is the one the next watcher needs.
   */
  static final class Messages {
    private RunEvent lastEvent; // guarded by the registry's lock
    private WatchRunsResponse lastMessage;

    WatchRunsResponse of(RunRecord record, RunEvent event) {
      if (event != lastEvent) {
        lastEvent = event;
        lastMessage = RunsMapper.watched(record, event);
      }
      return lastMessage;
    }
  }

  /** Ends the watch now with its last message. */
  void complete(WatchRunsResponse last) {
    stream.complete(last);
  }

  /** Ends the watch with {@code status}. */
  void end(Status status) {
    stream.fail(status);
  }
}
