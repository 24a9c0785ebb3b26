package dev.fibperf.client;

/**
 * Which runs {@link FibPerfClient#listRuns(RunQuery)} lists: a page of them, most recently ended
 * first, optionally of one method or one workload. Immutable; start from {@link #all()}.
 *
 * <pre>{@code
 * RunList page = client.listRuns(RunQuery.all().sameWorkloadAs(runId).pageSize(20));
 * while (page.nextPageToken().isPresent()) {
 *   page = client.listRuns(query.after(page.nextPageToken().get()));
 * }
 * }</pre>
 *
 * @param pageSize most finished runs per page; 0 for the server's default (100)
 * @param pageToken where the page starts (a previous page's {@link RunList#nextPageToken()}), or
 *     empty for the first
 * @param method only runs of this method, or null for all
 * @param sameWorkloadAs only runs of the same workload (method, kernel, pool, parallelism and nums)
 *     as this run, or 0 for any
 */
public record RunQuery(int pageSize, String pageToken, RunMethod method, long sameWorkloadAs) {
  public RunQuery {
    if (pageSize < 0) {
      throw new IllegalArgumentException("pageSize=" + pageSize + " must not be negative");
    }
    pageToken = pageToken == null ? "" : pageToken;
  }

  /** Every run, the first page of the server's default size. */
  public static RunQuery all() {
    return new RunQuery(0, "", null, 0);
  }

  public RunQuery pageSize(int pageSize) {
    return new RunQuery(pageSize, pageToken, method, sameWorkloadAs);
  }

  /** The page after the one that returned {@code pageToken}. */
  public RunQuery after(String pageToken) {
    return new RunQuery(pageSize, pageToken, method, sameWorkloadAs);
  }

  public RunQuery method(RunMethod method) {
    return new RunQuery(pageSize, pageToken, method, sameWorkloadAs);
  }

  public RunQuery sameWorkloadAs(long runId) {
    return new RunQuery(pageSize, pageToken, method, runId);
  }
}
