package dev.fibperf.client;

import java.time.Instant;
import java.util.Optional;

/**
 * The server's run history and its health since it started ({@link RunList#history()}). A database
 * that fails never fails a run: the failure shows here instead.
 *
 * @param enabled false when the server keeps runs in memory only
 * @param database where the history is (a JDBC URL, password left out)
 * @param runsWritten finished runs stored
 * @param writesFailed finished runs that could not be stored
 * @param runsDropped finished runs left out because the write queue was full
 * @param queued finished runs waiting to be written
 * @param lastError the latest failure, empty if none
 * @param lastErrorTime when it happened
 */
public record HistoryStatus(
    boolean enabled,
    String database,
    long runsWritten,
    long writesFailed,
    long runsDropped,
    int queued,
    String lastError,
    Optional<Instant> lastErrorTime) {}
