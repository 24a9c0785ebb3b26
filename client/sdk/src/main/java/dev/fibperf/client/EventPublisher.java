package dev.fibperf.client;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One call's events as a {@link Flow.Publisher}: each subscription starts the call, and the
 * subscriber's demand is the call's flow control. The client asks the server for one message at a
 * time, only while the subscriber wants more, so a slow subscriber slows the stream instead of
 * filling memory: at most one event waits here, the rest stay in gRPC's and the server's bounded
 * buffers (and on the server, a run whose caller stops reading pauses its next tasks).
 *
 * <p>Signals follow the Reactive Streams rules: serial, never more {@code onNext} than requested,
 * {@code onError} with a {@link FibPerfException} (or {@link IllegalArgumentException} for a
 * non-positive request) as soon as the call fails, even without demand (an event still waiting for
 * demand is then dropped), nothing after {@code cancel()}, which cancels the call on the server.
 */
final class EventPublisher<M> implements Flow.Publisher<FibEvent> {
  private final Consumer<ClientResponseObserver<Object, M>> start;
  private final Supplier<Function<? super M, FibEvent>> mappers;
  private final Function<Throwable, FibPerfException> errors;

  /**
   * @param start starts the call with an observer
   * @param mappers a message-to-event mapper for each call (a profile's assembles its chunks)
   * @param errors maps a call's failure to the exception subscribers get
   */
  EventPublisher(
      Consumer<ClientResponseObserver<Object, M>> start,
      Supplier<Function<? super M, FibEvent>> mappers,
      Function<Throwable, FibPerfException> errors) {
    this.start = start;
    this.mappers = mappers;
    this.errors = errors;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super FibEvent> subscriber) {
    Relay<M> relay =
        new Relay<>(Objects.requireNonNull(subscriber, "subscriber"), mappers.get(), errors);
    try {
      start.accept(relay);
    } catch (RuntimeException e) {
      relay.onError(e); // the call could not start (e.g. the client is closed)
    }
  }

  /** The subscription of one subscriber to one call. */
  private static final class Relay<M>
      implements ClientResponseObserver<Object, M>, Flow.Subscription {
    private final Flow.Subscriber<? super FibEvent> subscriber;
    private final Function<? super M, FibEvent> mapper;
    private final Function<Throwable, FibPerfException> errors;
    private volatile ClientCallStreamObserver<Object> call;

    @GuardedBy("this")
    private long demand;

    @GuardedBy("this")
    private FibEvent ready; // the one message received and not yet delivered

    // gRPC asks for the first message itself, once the call has started.
    @GuardedBy("this")
    private boolean messageRequested = true;

    @GuardedBy("this")
    private Throwable failure;

    @GuardedBy("this")
    private boolean completed;

    @GuardedBy("this")
    private boolean done; // terminal signal sent, or cancelled: nothing more goes out

    @GuardedBy("this")
    private boolean draining;

    Relay(
        Flow.Subscriber<? super FibEvent> subscriber,
        Function<? super M, FibEvent> mapper,
        Function<Throwable, FibPerfException> errors) {
      this.subscriber = subscriber;
      this.mapper = mapper;
      this.errors = errors;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Object> call) {
      this.call = call;
      call.disableAutoRequestWithInitial(1);
      subscriber.onSubscribe(this);
    }

    @Override
    public void request(long n) {
      synchronized (this) {
        if (n <= 0) {
          failure =
              new IllegalArgumentException(
                  "request(" + n + "): n must be positive (Reactive Streams rule 3.9)");
          ready = null;
        } else {
          demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        }
      }
      if (n <= 0) {
        cancelCall("the subscriber requested " + n + " events");
      }
      drain();
    }

    @Override
    public void cancel() {
      synchronized (this) {
        done = true;
        ready = null;
      }
      cancelCall("cancelled by the subscriber");
    }

    @Override
    public void onNext(M message) {
      FibEvent event = mapper.apply(message);
      synchronized (this) {
        messageRequested = false;
        ready = event;
      }
      drain();
    }

    @Override
    public void onError(Throwable t) {
      synchronized (this) {
        if (failure == null) {
          failure = t instanceof IllegalArgumentException ? t : errors.apply(t);
        }
      }
      drain();
    }

    @Override
    public void onCompleted() {
      synchronized (this) {
        completed = true;
      }
      drain();
    }

    private void cancelCall(String why) {
      ClientCallStreamObserver<Object> c = call;
      if (c != null) {
        c.cancel(why, null);
      }
    }

    /**
     * Delivers what the subscriber may have now. Only one thread delivers at a time (the others
     * leave their state change to it), so signals are serial whichever thread caused them.
     */
    private void drain() {
      synchronized (this) {
        if (draining) {
          return;
        }
        draining = true;
      }
      while (true) {
        FibEvent next = null;
        Throwable error = null;
        boolean complete = false;
        boolean askForMore = false;
        synchronized (this) {
          if (done) {
            draining = false;
            return;
          }
          if (failure != null) {
            // A failure needs no demand and ends the stream now: an event still waiting for demand
            // is dropped rather than holding the error back.
            error = failure;
            ready = null;
            done = true;
          } else if (ready != null && demand > 0) {
            next = ready;
            ready = null;
            demand--;
          } else if (ready == null && completed) {
            complete = true;
            done = true;
          }
          if (!done && ready == null && demand > 0 && !messageRequested) {
            messageRequested = true;
            askForMore = true;
          }
          if (next == null && error == null && !complete && !askForMore) {
            draining = false;
            return;
          }
        }
        if (askForMore) {
          call.request(1);
        }
        if (next != null) {
          subscriber.onNext(next);
        }
        if (error != null) {
          subscriber.onError(error);
        }
        if (complete) {
          subscriber.onComplete();
        }
      }
    }
  }
}
