package dev.fibperf.server.service;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.proto.v1.RunMethod;
import dev.fibperf.proto.v1.WatchRunsResponse;
import dev.fibperf.server.run.RunEvent;
import dev.fibperf.server.run.RunRegistry;
import dev.fibperf.server.run.RunRegistry.RunRecord;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * One WatchRuns call: a filter and a bounded buffer in front of its stream. Events come from the
 * registry on the runs' own threads, which must never wait for a watcher, nor write to the network
 * for it: they only append to this watch's pending list, which {@link WatchDelivery} moves to the
 * stream, as far as flow control lets it, from the thread that serves the call where there is one.
 * When the list is full, events are counted and dropped, and how many were lost is sent as soon as
 * the stream has room again, before any later event.
 */
final class RunWatch implements RunRegistry.Watcher {
  /** Messages a watcher may have queued (pending here and in its stream) before it loses events. */
  static final int BUFFER = 256;

  private final long runId;
  private final RunMethod method;
  private final EventStream<WatchRunsResponse> stream;
  private final Messages messages;
  private final WatchDelivery delivery;
  private final Executor home;

  @GuardedBy("this")
  private final Queue<WatchRunsResponse> pending = new ArrayDeque<>();

  /** In {@link #flush}: the stream's "room again" callbacks need not ask for another flush. */
  @GuardedBy("this")
  private boolean flushing;

  @GuardedBy("this")
  private long dropped;

  /** The message to end the watch with once everything pending is written, or null. */
  @GuardedBy("this")
  private WatchRunsResponse last;

  /** Whether {@link #last} has gone to the stream, which sends it after what it holds. */
  @GuardedBy("this")
  private boolean ended;

  /**
   * @param runId only this run, or 0 for all
   * @param method only this method, or RUN_METHOD_UNSPECIFIED for all
   * @param home the call's transport thread, where its batches are written; null for the delivery
   *     thread
   * @param onClosed runs once when the call ends, however it ends
   */
  RunWatch(
      ServerCallStreamObserver<WatchRunsResponse> observer,
      long runId,
      RunMethod method,
      Messages messages,
      WatchDelivery delivery,
      Executor home,
      Runnable onClosed) {
    this.runId = runId;
    this.method = method;
    this.messages = messages;
    this.delivery = delivery;
    this.home = home;
    this.stream = new EventStream<>(observer, BUFFER, () -> {}, onClosed);
    stream.onRoom(this::caughtUp);
  }

  /** Where this watch's batches are written, or null for the delivery thread. */
  Executor home() {
    return home;
  }

  /** The reader caught up: write what waited, if anything did. */
  private synchronized void caughtUp() {
    if (!flushing && (!pending.isEmpty() || dropped > 0 || (last != null && !ended))) {
      delivery.due(this);
    }
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
      complete(message); // the one run watched is over
      return;
    }
    offer(message);
  }

  private synchronized void offer(WatchRunsResponse message) {
    if (last != null || stream.isCancelled()) {
      return;
    }
    if (pending.size() + stream.queued() >= BUFFER) {
      dropped++;
      return;
    }
    if (dropped > 0) {
      pending.add(RunsMapper.dropped(dropped));
      dropped = 0;
    }
    pending.add(message);
    delivery.due(this);
  }

  /**
   * Moves pending messages to the stream while it has room; on {@link #home}, else the delivery
   * thread.
   */
  synchronized void flush() {
    flushing = true;
    try {
      while (!pending.isEmpty() && stream.hasRoom()) {
        stream.send(pending.poll());
      }
    } finally {
      flushing = false;
    }
    if (pending.isEmpty() && dropped > 0 && stream.hasRoom()) {
      // The loss is told as soon as there is room, not with the next event, which may never come
      // (the runs ended while the reader was behind).
      stream.send(RunsMapper.dropped(dropped));
      dropped = 0;
    }
    if (pending.isEmpty() && last != null && !ended) {
      ended = true;
      stream.complete(last);
    }
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

  /** Ends the watch with {@code last}, after what is pending. */
  synchronized void complete(WatchRunsResponse last) {
    if (this.last == null) {
      this.last = last;
      delivery.due(this);
    }
  }

  /** Ends the watch with {@code status} now; what is pending is dropped. */
  synchronized void end(Status status) {
    pending.clear();
    stream.fail(status);
  }
}
