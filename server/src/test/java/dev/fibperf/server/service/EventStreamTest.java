package dev.fibperf.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventStreamTest {
  /**
   * With direct executors, a message handed to gRPC can come straight back as an onReady callback
   * on the same thread. The stream must still end exactly once, after every message.
   */
  @Test
  void onReadyReenteringFromOnNext_stillCompletesOnceAfterEveryMessage() {
    ReentrantObserver observer = new ReentrantObserver();
    EventStream<String> stream = new EventStream<>(observer, 64, () -> {}, () -> {});

    stream.send("a");
    stream.send("b");
    stream.complete("summary");

    assertEquals(List.of("a", "b", "summary"), observer.messages);
    assertEquals(1, observer.completions);
  }

  /** Calls its onReady handler from inside onNext, as gRPC may with direct executors. */
  private static final class ReentrantObserver extends ServerCallStreamObserver<String> {
    final List<String> messages = new ArrayList<>();
    int completions;
    private Runnable onReady = () -> {};

    @Override
    public void onNext(String value) {
      messages.add(value);
      onReady.run();
    }

    @Override
    public void onError(Throwable t) {
      throw new AssertionError("unexpected onError", t);
    }

    @Override
    public void onCompleted() {
      completions++;
      if (completions > 1) {
        throw new IllegalStateException("call already closed");
      }
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {
      this.onReady = onReadyHandler;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setOnCloseHandler(Runnable onCloseHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}
  }
}
