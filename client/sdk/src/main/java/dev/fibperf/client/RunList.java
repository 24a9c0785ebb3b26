package dev.fibperf.client;

import java.util.List;
import java.util.Optional;

/**
 * The server's runs. Their summaries leave out the per-task results, so that a list stays small;
 * {@link FibPerfClient#getRun} has them.
 *
 * @param inFlight runs in flight, oldest first
 * @param recent finished runs, most recently ended first: one page of the server's history
 * @param nextPageToken where the next page starts ({@link RunQuery#after}); empty on the last
 * @param history the server's run history and its health
 */
public record RunList(
    List<RunInfo> inFlight,
    List<RunInfo> recent,
    Optional<String> nextPageToken,
    HistoryStatus history) {
  public RunList {
    inFlight = List.copyOf(inFlight);
    recent = List.copyOf(recent);
  }
}
