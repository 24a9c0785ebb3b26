package dev.fibperf.server.service;

import com.google.protobuf.util.Timestamps;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.server.history.RunHistory;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * What watchers here see of the replicas that share this history: polled while anyone watches, each
 * run another replica finished is handed on once, as its {@code finished} event.
 *
 * <p>A replica writes its runs up to {@link RunHistory#LINGER} after they end, and replicas' clocks
 * differ, so each poll looks back {@link #LOOK_BACK} before the latest end it has seen and
 * remembers the ids it handed on, rather than trust a cursor.
 */
final class OtherReplicas implements Runnable {
  private static final System.Logger LOG = System.getLogger(OtherReplicas.class.getName());

  static final java.time.Duration LOOK_BACK = java.time.Duration.ofSeconds(10);

  /** Runs read per poll; a busier history is caught up over the next polls. */
  static final int PER_POLL = 200;

  private static final int REMEMBERED = 10_000;

  private final RunHistory<?> history;
  private final String replica;
  private final java.util.function.BooleanSupplier anyoneWatching;
  private final Consumer<RunInfo> deliver;
  private final LinkedHashSet<Long> handedOn = new LinkedHashSet<>();
  private final long startMicros;
  private long latestMicros;

  /**
   * @param replica this replica, as its runs are stored
   * @param deliver hands a run on to every watcher that wants it
   */
  OtherReplicas(
      RunHistory<?> history,
      String replica,
      java.util.function.BooleanSupplier anyoneWatching,
      Consumer<RunInfo> deliver,
      Clock clock) {
    this.history = history;
    this.replica = replica;
    this.anyoneWatching = anyoneWatching;
    this.deliver = deliver;
    this.startMicros = clock.instant().toEpochMilli() * 1000;
    this.latestMicros = startMicros;
  }

  @Override
  public void run() {
    try {
      poll();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: log, and poll next time.
      LOG.log(System.Logger.Level.WARNING, "other replicas' runs: " + e);
    }
  }

  private void poll() {
    if (!history.enabled() || !anyoneWatching.getAsBoolean()) {
      return;
    }
    List<RunInfo> runs =
        history.finishedElsewhere(replica, latestMicros - LOOK_BACK.toNanos() / 1000, PER_POLL);
    for (RunInfo run : runs) {
      long ended = Timestamps.toMicros(run.getEndTime());
      latestMicros = Math.max(latestMicros, ended);
      // Runs that ended before this replica started are history, not events.
      if (ended >= startMicros && handedOn.add(run.getRunId())) {
        deliver.accept(RunsMapper.listed(run));
        if (handedOn.size() > REMEMBERED) {
          Iterator<Long> oldest = handedOn.iterator();
          oldest.next();
          oldest.remove();
        }
      }
    }
  }
}
