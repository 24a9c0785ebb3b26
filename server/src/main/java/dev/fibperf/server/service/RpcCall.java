package dev.fibperf.server.service;

import dev.fibperf.server.run.ActiveRun;
import dev.fibperf.server.run.RunSpec;
import dev.fibperf.server.run.Runner;
import dev.fibperf.server.service.ResponseMapper.Responses;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scope of one fibperf RPC: its flow-controlled stream, the run it drives, and an end that
 * happens once, with a status from {@link StatusMapping}. Counted in {@link OpenCalls} until its
 * run has ended and its status has reached the wire, so a drain waits for exactly that.
 */
final class RpcCall<T> {
  private static final System.Logger LOG = System.getLogger(FibPerfService.class.getName());

  /**
   * Messages a stream may queue beyond what the transport has accepted before new tasks wait for
   * the reader. Small, because a queued message is at most a few KB and more buys nothing.
   */
  static final int STREAM_HIGH_WATER = 64;

  /** Maps a request to a run spec, or fails with the status the caller gets. */
  @FunctionalInterface
  interface SpecSource {
    RunSpec get() throws StatusException;
  }

  private final Runner runner;
  private final OpenCalls openCalls;
  private final Deadline deadline = Context.current().getDeadline();
  private final EventStream<T> stream;
  private final AtomicBoolean ended = new AtomicBoolean();
  // Closed once the run has ended and the stream has closed, in either order.
  private final AtomicInteger stillOpen = new AtomicInteger(2);
  private volatile ActiveRun run;

  RpcCall(Runner runner, OpenCalls openCalls, StreamObserver<T> observer) {
    this.runner = runner;
    this.openCalls = openCalls;
    openCalls.opened();
    this.stream =
        new EventStream<>(
            (ServerCallStreamObserver<T>) observer,
            STREAM_HIGH_WATER,
            this::cancelRun,
            this::halfClosed);
  }

  /** Maps the request, runs it, and streams its events and final message under flow control. */
  void serve(SpecSource spec, Responses<T> responses) {
    ActiveRun admitted;
    try {
      admitted =
          runner.admit(
              spec.get(), event -> responses.onEvent(event, stream::send), stream::hasRoom);
    } catch (Exception e) {
      fail(e);
      return;
    }
    run = admitted;
    RunIdHeader.send(admitted.id());
    stream.onRoom(admitted::resume);
    admitted
        .outcome()
        .whenComplete(
            (outcome, error) -> {
              if (error != null) {
                fail(error);
                return;
              }
              T last;
              try {
                last = responses.last(outcome);
              } catch (RuntimeException e) {
                fail(e);
                return;
              }
              complete(last);
            });
    // The client may have left already: then the run must not start any work.
    if (stream.isCancelled()) {
      admitted.cancel();
    }
    admitted.start();
  }

  private void complete(T last) {
    end();
    stream.complete(last);
  }

  private void fail(Throwable cause) {
    Status status = StatusMapping.toStatus(cause, deadline != null && deadline.isExpired());
    if (StatusMapping.isInternal(status)) {
      LOG.log(Level.ERROR, "call failed: " + status.getDescription(), cause);
    }
    end();
    stream.fail(status);
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      halfClosed();
    }
  }

  private void halfClosed() {
    if (stillOpen.decrementAndGet() == 0) {
      openCalls.closed();
    }
  }

  private void cancelRun() {
    ActiveRun current = run;
    if (current != null) {
      current.cancel();
    }
  }
}
