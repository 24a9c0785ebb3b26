package dev.fibperf.client;

import java.util.List;

/**
 * The server's runs. Their summaries leave out the per-task results, so that a list stays small;
 * {@link FibPerfClient#getRun} has them.
 *
 * @param inFlight runs in flight, oldest first
 * @param recent finished runs, most recent first (as many as the server keeps)
 */
public record RunList(List<RunInfo> inFlight, List<RunInfo> recent) {
  public RunList {
    inFlight = List.copyOf(inFlight);
    recent = List.copyOf(recent);
  }
}
