package dev.fibperf.client;

/**
 * One message of a fibperf stream. Match on the record type:
 *
 * <pre>{@code
 * for (FibEvent e : stream) {
 *   if (e instanceof TaskFinished f) System.out.println(f.n() + " -> " + f.value());
 * }
 * }</pre>
 *
 * <p>Every stream ends with one final event: a {@link RunSummary} (Serial, Parallel), a {@link
 * ProfileResult} (ProfileSerial) or a {@link Comparison} (Compare). A watch of the server's runs
 * ({@link FibPerfClient#watchRuns}) carries {@link RunWatchEvent}s and no final event.
 */
public sealed interface FibEvent
    permits TaskStarted,
        TaskFinished,
        PhaseCompleted,
        ProfileSnapshot,
        ArtifactChunk,
        RunSummary,
        ProfileResult,
        Comparison,
        RoundResult,
        RunWatchEvent {}
