package dev.fibperf.client;

import java.util.OptionalDouble;

/**
 * One point of a Compare's scaling curve ({@link CompareOptions#withSweep}): the parallel phase on
 * {@code workers} workers.
 *
 * @param workers the width
 * @param speedup the serial walls over this width's parallel walls, over the rounds it kept
 * @param speedupLow its 95 % interval's lower end; empty with fewer than 5 rounds
 * @param speedupHigh its upper end; empty likewise
 * @param efficiency speedup / workers
 * @param serialFraction Karp and Flatt's experimentally determined serial fraction, (1/speedup -
 *     1/workers) / (1 - 1/workers); 0 for one worker. Where it grows with the workers, adding
 *     workers stops paying.
 * @param roundsUsed rounds behind the point
 */
public record ScalingPoint(
    int workers,
    double speedup,
    OptionalDouble speedupLow,
    OptionalDouble speedupHigh,
    double efficiency,
    double serialFraction,
    int roundsUsed) {}
