package dev.fibperf.client;

import java.time.Instant;

/**
 * A worker picked up a task.
 *
 * @param phase the run it belongs to
 * @param index position in the request's nums
 * @param n the input
 * @param worker the worker's name
 * @param startTime when it started (UTC)
 */
public record TaskStarted(Phase phase, int index, int n, String worker, Instant startTime)
    implements FibEvent {}
