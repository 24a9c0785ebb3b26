package dev.fibperf.client;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

/**
 * A task finished.
 *
 * @param phase the run it belongs to
 * @param index position in the request's nums
 * @param n the input
 * @param value fib(n), exact
 * @param duration the worker's time on it
 * @param worker the worker's name
 * @param startTime when it started (UTC)
 */
public record TaskFinished(
    Phase phase,
    int index,
    int n,
    BigInteger value,
    Duration duration,
    String worker,
    Instant startTime)
    implements FibEvent {}
