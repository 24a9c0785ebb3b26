package dev.fibperf.server.service;

import dev.fibperf.proto.v1.WatchRunsResponse;
import dev.fibperf.server.run.RunEvent;
import dev.fibperf.server.run.RunRegistry.RunRecord;
import dev.fibperf.server.run.RunSubscription;

/**
 * Runs as WatchRuns messages, for every subscriber of one front door: WatchRuns calls and the
 * dashboard's event stream. Each event's message is built once for all of them: the registry hands
 * an event to every subscription in turn, under its lock, so the last one built is the one the next
 * subscriber needs.
 */
public final class WatchMessages {
  private RunEvent lastEvent; // guarded by the registry's lock
  private WatchRunsResponse lastMessage;

  private WatchRunsResponse of(RunRecord record, RunEvent event) {
    if (event != lastEvent) {
      lastEvent = event;
      lastMessage = RunsMapper.watched(record, event);
    }
    return lastMessage;
  }

  /** Every event of the runs a subscription wants, without end. */
  public RunSubscription.Messages<WatchRunsResponse> all() {
    return messages(false);
  }

  /** The events of one run, ending with its {@code finished} message. */
  RunSubscription.Messages<WatchRunsResponse> untilFinished() {
    return messages(true);
  }

  private RunSubscription.Messages<WatchRunsResponse> messages(boolean endWhenFinished) {
    return new RunSubscription.Messages<>() {
      @Override
      public WatchRunsResponse inFlight(RunRecord run) {
        return RunsMapper.inFlight(run);
      }

      @Override
      public WatchRunsResponse event(RunRecord run, RunEvent event) {
        return of(run, event);
      }

      @Override
      public WatchRunsResponse dropped(long count) {
        return RunsMapper.dropped(count);
      }

      @Override
      public boolean ends(WatchRunsResponse message) {
        return endWhenFinished && message.hasFinished();
      }
    };
  }
}
