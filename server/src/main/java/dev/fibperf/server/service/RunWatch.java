package dev.fibperf.server.service;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.RunMethod;
import dev.fibperf.proto.v1.WatchRunsResponse;
import dev.fibperf.server.run.RunRegistry;
import dev.fibperf.server.run.RunSubscription;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One WatchRuns call: a subscription to the runs it asked for, in front of its stream. Events come
 * from the registry on the runs' own threads, which must never wait for a watcher, nor write to the
 * network for it: they only append to this watch's {@link RunSubscription}, which {@link
 * WatchDelivery} moves to the stream, as far as flow control lets it, from the thread that serves
 * the call where there is one. A watcher that falls behind loses events, and is told how many as
 * soon as its stream has room again.
 */
final class RunWatch {
  /** Messages a watcher may have queued (pending here and in its stream) before it loses events. */
  static final int BUFFER = 256;

  private final EventStream<WatchRunsResponse> stream;
  private final WatchDelivery delivery;
  private final Executor home;
  private volatile RunSubscription<WatchRunsResponse> subscription;
  private volatile long watchedRunId;
  private volatile RunMethod watchedMethod = RunMethod.RUN_METHOD_UNSPECIFIED;

  /** In {@link #flush}: the stream's "room again" callbacks need not ask for another flush. */
  @GuardedBy("this")
  private boolean flushing;

  @GuardedBy("this")
  private boolean ended;

  /**
   * @param home the call's transport thread, where its batches are written; null for the delivery
   *     thread
   * @param onClosed runs once when the call ends, however it ends, after the watch unsubscribed
   */
  RunWatch(
      ServerCallStreamObserver<WatchRunsResponse> observer,
      WatchDelivery delivery,
      Executor home,
      Consumer<RunWatch> onClosed) {
    this.delivery = delivery;
    this.home = home;
    this.stream =
        new EventStream<>(
            observer,
            BUFFER,
            () -> {},
            () -> {
              RunSubscription<WatchRunsResponse> s = subscription;
              if (s != null) {
                s.close();
              }
              onClosed.accept(this);
            });
    stream.onRoom(this::caughtUp);
  }

  /**
   * Subscribes to the runs this call asked for.
   *
   * @param runId only this run (the watch ends when it finishes), or 0 for all
   * @param method only this method, or RUN_METHOD_UNSPECIFIED for all
   * @return whether the one run asked for was in flight when the watch began
   */
  boolean subscribe(RunRegistry runs, long runId, RunMethod method, WatchMessages messages) {
    this.watchedRunId = runId;
    this.watchedMethod = method;
    RunSubscription<WatchRunsResponse> s =
        runs.subscribe(
            r ->
                (runId == 0 || r.id() == runId)
                    && (method == RunMethod.RUN_METHOD_UNSPECIFIED
                        || RunsMapper.method(r.spec().kind()) == method),
            runId == 0 ? messages.all() : messages.untilFinished(),
            BUFFER,
            stream::queued,
            () -> delivery.due(this));
    subscription = s;
    if (stream.isCancelled()) {
      s.close(); // the call ended while it subscribed
    }
    return runId != 0 && s.wasInFlight(runId);
  }

  /** Where this watch's batches are written, or null for the delivery thread. */
  Executor home() {
    return home;
  }

  /** The reader caught up: write what waited, if anything did. */
  private synchronized void caughtUp() {
    RunSubscription<WatchRunsResponse> s = subscription;
    if (!flushing && !ended && s != null && s.hasPending()) {
      delivery.due(this);
    }
  }

  /**
   * Moves waiting messages to the stream while it has room; on {@link #home}, else the delivery
   * thread. The message that ends the subscription completes the stream, after what it holds.
   */
  synchronized void flush() {
    RunSubscription<WatchRunsResponse> s = subscription;
    if (s == null) {
      return;
    }
    flushing = true;
    try {
      while (!ended && stream.hasRoom()) {
        WatchRunsResponse next = s.poll();
        if (next == null) {
          break;
        }
        if (s.isLast(next)) {
          ended = true;
          stream.complete(next);
        } else {
          stream.send(next);
        }
      }
    } finally {
      flushing = false;
    }
  }

  /**
   * A run another replica finished (read from the history they share), for a watch of every run of
   * its method; bounded like this replica's own events.
   */
  void finishedElsewhere(RunInfo run) {
    RunSubscription<WatchRunsResponse> s = subscription;
    if (s != null
        && watchedRunId == 0
        && (watchedMethod == RunMethod.RUN_METHOD_UNSPECIFIED
            || watchedMethod == run.getMethod())) {
      s.offer(
          WatchRunsResponse.newBuilder()
              .setRunId(run.getRunId())
              .setMethod(run.getMethod())
              .setFinished(run)
              .build());
    }
  }

  /** Ends the watch with {@code last}, after what is waiting (a run that finished before it). */
  void complete(WatchRunsResponse last) {
    subscription.offer(last);
  }

  /** Ends the watch with {@code status} now; what is waiting is dropped. */
  synchronized void end(Status status) {
    RunSubscription<WatchRunsResponse> s = subscription;
    if (s != null) {
      s.clear();
    }
    ended = true;
    stream.fail(status);
  }
}
