package dev.fibperf.server.exec;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

/**
 * A finished task.
 *
 * @param index position in the request
 * @param n the Fibonacci input
 * @param value fib(n)
 * @param duration time the worker spent computing it
 * @param worker the worker's name
 * @param startTime wall-clock start (UTC)
 */
public record TaskResult(
    int index, int n, BigInteger value, Duration duration, String worker, Instant startTime) {}
