package dev.fibperf.server.launch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
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
  void aLine_isWritten_withoutClose_whenTheWriterIsIdle() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    BackgroundLogHandler handler = new BackgroundLogHandler(sink, new LogFormat());
    try {
      for (int i = 0; i < 3; i++) {
        handler.publish(record("line " + i));
        String expected = ": line " + i;
        // However the writer's rests fall, every line reaches the stream without a flush or close.
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.toString(UTF_8).contains(expected));
      }
    } finally {
      handler.close();
    }
  }

  @RepeatedTest(50)
  void closingWhileLoggersLog_losesNoLine(RepetitionInfo repetition) throws Exception {
    Random random = new Random(repetition.getCurrentRepetition());
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    BackgroundLogHandler handler = new BackgroundLogHandler(sink, new LogFormat());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int thread = t;
      threads.add(
          new Thread(
              () -> {
                for (int i = 0; i < 3000; i++) {
                  handler.publish(record("t" + thread + " " + i));
                }
              }));
    }
    threads.forEach(Thread::start);
    Thread.sleep(random.nextInt(30)); // close at a seeded instant inside the loggers' run
    handler.close();
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(9000, sink.toString(UTF_8).lines().count());
  }

  private static LogRecord record(String message) {
    LogRecord r = new LogRecord(Level.INFO, message);
    r.setLoggerName("test");
    r.setSourceClassName("test");
    return r;
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
