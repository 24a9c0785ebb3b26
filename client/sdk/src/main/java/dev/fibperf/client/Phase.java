package dev.fibperf.client;

/**
 * Which run an event belongs to: serial (Serial, ProfileSerial, Compare's first half) or parallel.
 */
public enum Phase {
  SERIAL,
  PARALLEL
}
