package dev.fibperf.server.exec;

/**
 * One unit of work: fib(n) for the request's entry at {@code index}.
 *
 * @param index position in the request
 * @param n the Fibonacci input
 */
public record Task(int index, int n) {}
