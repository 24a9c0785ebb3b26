package dev.fibperf.client;

import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Metadata;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The events of one call, as they arrive. Blocking iteration; close it to cancel the call, which
 * stops the work on the server.
 *
 * <pre>{@code
 * try (EventStream events = client.parallelStream(Workload.of(34, 35, 36, 35))) {
 *   for (FibEvent e : events) {
 *     if (e instanceof TaskFinished f) System.out.println(f.n() + " done on " + f.worker());
 *   }
 * }
 * }</pre>
 *
 * <p>Not thread-safe for iteration; {@link #close()} may be called from any thread. When the call
 * fails, {@code hasNext} and {@code next} throw its {@link FibPerfException}.
 */
public final class EventStream implements Iterator<FibEvent>, Iterable<FibEvent>, AutoCloseable {
  private final Context.CancellableContext context;
  private final Iterator<? extends Message> responses;
  private final Function<Message, FibEvent> mapper;
  private final AtomicReference<Metadata> headers;
  private final String target;
  private Message lastMessage;
  private FibEvent pending;
  private Message pendingMessage;

  /** The response header that names the run a call started. */
  static final Metadata.Key<String> RUN_ID =
      Metadata.Key.of("fibperf-run-id", Metadata.ASCII_STRING_MARSHALLER);

  @SuppressWarnings("unchecked")
  <M extends Message> EventStream(
      Context.CancellableContext context,
      Iterator<M> responses,
      Function<? super M, FibEvent> mapper,
      AtomicReference<Metadata> headers,
      String target) {
    this.context = context;
    this.target = target;
    this.responses = responses;
    this.mapper = m -> mapper.apply((M) m);
    this.headers = headers;
  }

  /**
   * The id of the run this call started, from the response headers: known once the server has
   * admitted the run (after the first {@link #hasNext()} returns, at the latest), empty before, or
   * if the call was refused.
   */
  public OptionalLong runId() {
    Metadata h = headers.get();
    String id = h == null ? null : h.get(RUN_ID);
    return id == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(id));
  }

  @Override
  public boolean hasNext() {
    try {
      // A message this SDK cannot map (an event a newer server added) is skipped, not fatal.
      while (pending == null && responses.hasNext()) {
        Message message = responses.next();
        pending = mapper.apply(message);
        pendingMessage = message;
      }
      return pending != null;
    } catch (RuntimeException e) {
      throw FibPerfException.from(e, target);
    }
  }

  @Override
  public FibEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    FibEvent event = pending;
    lastMessage = pendingMessage;
    pending = null;
    pendingMessage = null;
    return event;
  }

  /**
   * The wire message behind the event {@link #next()} last returned, for callers that want the
   * protobuf form (e.g. to print the protobuf JSON mapping).
   */
  public Message lastMessage() {
    return lastMessage;
  }

  @Override
  public Iterator<FibEvent> iterator() {
    return this;
  }

  /** The remaining events as a sequential stream; close the stream or this to cancel. */
  public Stream<FibEvent> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(this::close);
  }

  /** Cancels the call if it is still running; the server stops its tasks. Idempotent. */
  @Override
  public void close() {
    context.cancel(null);
  }
}
