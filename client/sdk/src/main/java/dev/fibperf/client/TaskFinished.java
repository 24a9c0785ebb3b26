package dev.fibperf.client;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A task finished.
 *
 * @param phase the run it belongs to
 * @param index position in the request's nums
 * @param n the input
 * @param value fib(n), exact
 * @param duration elapsed time of the computation where it ran
 * @param cpuTime CPU time the computing thread got over that span, where measurable
 * @param worker the worker's name
 * @param startTime when a worker picked it up (UTC)
 * @param queueWait time it waited for a worker behind other runs' tasks
 * @param handoff time beyond computing from pick-up to result (hand-off, serialisation, IPC)
 */
public record TaskFinished(
    Phase phase,
    int index,
    int n,
    BigInteger value,
    Duration duration,
    Optional<Duration> cpuTime,
    String worker,
    Instant startTime,
    Duration queueWait,
    Duration handoff)
    implements FibEvent {}
