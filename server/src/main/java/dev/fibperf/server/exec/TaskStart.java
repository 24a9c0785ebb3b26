package dev.fibperf.server.exec;

import java.time.Instant;

/**
 * A task was picked up by a worker.
 *
 * @param index position in the request
 * @param n the Fibonacci input
 * @param worker the worker's name
 * @param startTime wall-clock start (UTC)
 */
public record TaskStart(int index, int n, String worker, Instant startTime) implements TaskEvent {}
