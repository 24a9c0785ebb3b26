package dev.fibperf.server.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.run.RunRegistry.RunRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The registry's one fan-out: bounded, says what it dropped, never drops the end. */
class RunSubscriptionTest {
  /** Messages as text: "run N", "event", "dropped N", "end". */
  private static final RunSubscription.Messages<String> TEXT =
      new RunSubscription.Messages<>() {
        @Override
        public String inFlight(RunRecord run) {
          return "run " + run.id();
        }

        @Override
        public String event(RunRecord run, RunEvent event) {
          return "event";
        }

        @Override
        public String dropped(long count) {
          return "dropped " + count;
        }

        @Override
        public boolean ends(String message) {
          return message.equals("end");
        }
      };

  private static List<String> drain(RunSubscription<String> s) {
    List<String> out = new ArrayList<>();
    for (String m = s.poll(); m != null; m = s.poll()) {
      out.add(m);
    }
    return out;
  }

  @Test
  void aSubscriberThatFallsBehind_isToldWhatItLost_beforeLaterMessages_andTheEndIsNeverDropped() {
    AtomicInteger available = new AtomicInteger();
    RunSubscription<String> s =
        new RunSubscription<>(
            run -> true, TEXT, 3, () -> 0, available::incrementAndGet, List.of(), x -> {});
    for (int i = 0; i < 5; i++) {
      s.offer("event " + i);
    }
    assertEquals(List.of("event 0", "event 1", "event 2", "dropped 2"), drain(s));
    assertFalse(s.hasPending());

    for (int i = 5; i < 10; i++) {
      s.offer("event " + i); // 3 kept, 2 dropped
    }
    s.offer("end"); // beyond the bound, and last
    s.offer("after the end");

    assertEquals(List.of("event 5", "event 6", "event 7", "dropped 2", "end"), drain(s));
    assertTrue(s.isLast("end"));
    assertEquals(7, available.get(), "every message added said so: 3, 3 and the end");
  }

  @Test
  void whatTheSubscriberHoldsDownstream_countsAgainstTheBound() {
    RunSubscription<String> s =
        new RunSubscription<>(run -> true, TEXT, 3, () -> 2, () -> {}, List.of(), x -> {});
    s.offer("a");
    s.offer("b"); // 1 here + 2 downstream: full

    assertEquals(List.of("a", "dropped 1"), drain(s));
  }

  @Test
  void aLossIsToldEvenIfNoLaterEventComes() {
    RunSubscription<String> s =
        new RunSubscription<>(run -> true, TEXT, 1, () -> 0, () -> {}, List.of(), x -> {});
    s.offer("a");
    s.offer("b");

    assertEquals(List.of("a", "dropped 1"), drain(s));
    assertFalse(s.hasPending());
  }

  @Test
  void take_waitsForAMessage_andReturnsNullWhenClosedOrTimedOut() throws Exception {
    List<RunSubscription<?>> unsubscribed = new ArrayList<>();
    RunSubscription<String> s =
        new RunSubscription<>(
            run -> true, TEXT, 8, () -> 0, () -> {}, List.of(), unsubscribed::add);
    assertNull(s.take(Duration.ofMillis(1)));
    Thread offerer = new Thread(() -> s.offer("late"));
    offerer.start();
    assertEquals("late", s.take(Duration.ofMinutes(1)));
    offerer.join();

    s.close();
    s.close();

    assertNull(s.take(Duration.ofMinutes(1)), "a closed subscription does not wait");
    assertEquals(List.of(s), unsubscribed, "unsubscribed once");
  }
}
