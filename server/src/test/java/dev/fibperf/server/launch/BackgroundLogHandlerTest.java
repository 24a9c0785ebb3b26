package dev.fibperf.server.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The console log written off the calling threads: every line, each thread's in its order. */
class BackgroundLogHandlerTest {
  @Test
  void everyLine_isWritten_inEachThreadsOrder_byClose() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    BackgroundLogHandler handler = new BackgroundLogHandler(sink, new LogFormat());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      threads.add(
          new Thread(
              () -> {
                // More than the queue holds: writers wait, nothing is dropped.
                for (int i = 0; i < 5000; i++) {
                  LogRecord r = new LogRecord(Level.INFO, "t" + thread + " " + i);
                  r.setLoggerName("test");
                  r.setSourceClassName("test");
                  handler.publish(r);
                }
              }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    handler.close();

    List<String> lines = sink.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(20_000, lines.size());
    for (int t = 0; t < 4; t++) {
      String prefix = ": t" + t + " ";
      List<Integer> seen =
          lines.stream()
              .filter(l -> l.contains(prefix))
              .map(l -> Integer.parseInt(l.substring(l.indexOf(prefix) + prefix.length())))
              .toList();
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        expected.add(i);
      }
      assertEquals(expected, seen, "thread " + t);
    }
  }

  @Test
  void belowItsLevel_nothingIsQueued() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    BackgroundLogHandler handler = new BackgroundLogHandler(sink, new LogFormat());
    handler.setLevel(Level.WARNING);
    handler.publish(new LogRecord(Level.INFO, "quiet"));
    handler.close();
    assertEquals("", sink.toString(StandardCharsets.UTF_8));
  }
}
