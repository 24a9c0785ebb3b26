package dev.fibperf.server.testing;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Waiting on an event instead of sleeping: Awaitility, polled often enough not to add latency. */
public final class Waits {
  private Waits() {}

  /** Polls every 5 ms from the start, for at most ten seconds (a liveness bound, not speed). */
  public static ConditionFactory await(String what) {
    return Awaitility.await(what)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .atMost(Duration.ofSeconds(10));
  }
}
