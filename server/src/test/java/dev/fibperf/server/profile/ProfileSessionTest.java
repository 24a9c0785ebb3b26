package dev.fibperf.server.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.compute.FibKernels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Live snapshots come from the session's event stream, the final profile from the whole recording:
 * two readings of the same samples that must agree.
 */
class ProfileSessionTest {
  private static final String NAIVE = "dev.fibperf.server.compute.FibKernels.naive(";
  private static final String ITERATIVE = "dev.fibperf.server.compute.FibKernels.iterative(";
  private static final JfrProfiler PROFILER = new JfrProfiler();

  @Test
  void liveSnapshots_growTowardsTheFinalProfile_andCatchUpWithIt() throws Exception {
    ProfileSession session = PROFILER.start(JfrProfiler.FINEST_PERIOD);
    long[] during = new long[1];
    session.mark(
        0,
        0,
        () -> {
          spin(() -> FibKernels.naive(27), Duration.ofMillis(1500));
          during[0] = session.snapshot(5).totalSamples();
        });
    ProfileReport caughtUp = settled(session);
    ProfileReport last = session.snapshot(5);
    ProfileReport fin = session.finish(5, false);

    assertTrue(during[0] > 0, "a snapshot while the task ran saw none of its samples");
    assertTrue(during[0] <= caughtUp.totalSamples(), during[0] + " then " + caughtUp);
    assertTrue(fin.totalSamples() > 0, fin.toString());
    // The two readings differ only at the window's edges (the live window opens a moment after the
    // recorded one and closes a moment before it): a sample or two, never more than that.
    assertTrue(last.totalSamples() <= fin.totalSamples(), last + " vs final " + fin);
    assertTrue(fin.totalSamples() - last.totalSamples() <= 2, "live " + last + " vs final " + fin);
    assertTrue(last.self().get(0).method().startsWith(NAIVE), last.self().toString());
    assertEquals(fin.self().get(0).method(), last.self().get(0).method());
  }

  @Test
  void concurrentSessions_eachLiveSnapshotHoldsOnlyItsOwnSamples() throws Exception {
    ProfileSession naive = PROFILER.start(JfrProfiler.FINEST_PERIOD);
    ProfileSession iterative = PROFILER.start(JfrProfiler.FINEST_PERIOD);
    Duration length = Duration.ofMillis(1200);
    CompletableFuture<Void> other =
        CompletableFuture.runAsync(
            () ->
                iterative.mark(
                    0,
                    0,
                    () ->
                        spin(() -> FibKernels.iterative(20_000, CancellationToken.NONE), length)));
    naive.mark(0, 0, () -> spin(() -> FibKernels.naive(27), length));
    other.get();
    ProfileReport naiveLive = settled(naive);
    ProfileReport iterativeLive = settled(iterative);
    naive.close();
    iterative.close();

    assertTrue(naiveLive.totalSamples() > 0 && iterativeLive.totalSamples() > 0);
    assertFalse(mentions(naiveLive.total(), ITERATIVE), naiveLive.total().toString());
    assertFalse(mentions(iterativeLive.total(), NAIVE), iterativeLive.total().toString());
    assertTrue(mentions(iterativeLive.total(), ITERATIVE), iterativeLive.total().toString());
  }

  /**
   * async-profiler takes the samples, JFR still the windows: the same attribution, live snapshots
   * from its completed files, and the final profile from all of them. A second session while the
   * first has the profiler gets JFR, and says why.
   */
  @Test
  void asyncProfilerSessions_attributeAndSnapshotLikeJfr_andOneAtATime() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        JfrProfiler.asyncProfiler().startsWith("async-profiler "), JfrProfiler.asyncProfiler());
    ProfileSession session = PROFILER.start(JfrProfiler.FINEST_PERIOD, Engine.ASYNC_PROFILER);
    ProfileSession second = PROFILER.start(JfrProfiler.FINEST_PERIOD, Engine.ASYNC_PROFILER);
    long[] during = new long[1];
    long[] taskThread = new long[1];
    java.time.Instant[] taskSpan = new java.time.Instant[2];
    CompletableFuture<Void> other =
        CompletableFuture.runAsync(
            () ->
                second.mark(
                    0,
                    0,
                    () ->
                        spin(
                            () -> FibKernels.iterative(20_000, CancellationToken.NONE),
                            Duration.ofMillis(800))));
    CompletableFuture<Void> task =
        CompletableFuture.runAsync(
            () ->
                session.mark(
                    0,
                    0,
                    () -> {
                      taskThread[0] = Thread.currentThread().getId();
                      taskSpan[0] = java.time.Instant.now();
                      spin(() -> FibKernels.naive(27), Duration.ofMillis(4000));
                      taskSpan[1] = java.time.Instant.now();
                    }));
    // Snapshots while the task runs, until one has samples (a file completed and was read).
    boolean[] running = new boolean[1];
    dev.fibperf.server.testing.Waits.await("a live snapshot with samples, or the task's end")
        .until(
            () -> {
              running[0] = !task.isDone(); // before the snapshot: it was taken while running
              during[0] = session.snapshot(5).totalSamples();
              return during[0] > 0 || !running[0];
            });
    assertTrue(running[0], "no snapshot had samples while the task ran");
    task.get();
    ProfileReport caughtUp = settled(session); // the last file completes a second or so later
    other.get();
    // Top 20: every frame on the spinning thread's stack is in every sample (100 % each), and a
    // top 5 cut among those ties could leave FibKernels.iterative out.
    ProfileReport secondProfile = second.finish(20, false);
    ProfileReport fin = session.finish(5, true);

    assertTrue(fin.engine().startsWith("async-profiler "), fin.engine());
    assertTrue(fin.engine().endsWith("(cpu)") || fin.engine().endsWith("(itimer)"), fin.engine());
    assertEquals("", fin.engineNote());
    assertTrue(during[0] > 0, "a snapshot while the task ran saw none of its samples");
    assertTrue(during[0] <= fin.totalSamples(), during[0] + " live vs final " + fin);
    // Live windows are kept in memory, the final's are the recording's events: both readings of
    // the same files agree but for a sample or two at the edges.
    assertTrue(
        Math.abs(fin.totalSamples() - caughtUp.totalSamples()) <= 2,
        caughtUp.totalSamples() + " live vs final " + fin.totalSamples());
    assertTrue(fin.self().get(0).method().startsWith(NAIVE), fin.self().toString());
    assertFalse(mentions(fin.total(), ITERATIVE), "the other thread's samples: " + fin.total());
    assertTrue(fin.self().get(0).percent() >= 90.0, fin.self().toString());
    // Its raw recording is async-profiler's files, which the JDK's own reader takes as JFR: the
    // worker's samples in it, at the times they were taken (each file read with its own clock).
    java.nio.file.Path raw = java.nio.file.Files.createTempFile("async", ".jfr");
    java.nio.file.Files.write(raw, session.rawRecording());
    long inTask = 0;
    for (jdk.jfr.consumer.RecordedEvent e : jdk.jfr.consumer.RecordingFile.readAllEvents(raw)) {
      if (e.getEventType().getName().equals("jdk.ExecutionSample")
          && e.getThread("sampledThread") != null
          && e.getThread("sampledThread").getJavaThreadId() == taskThread[0]) {
        assertFalse(e.getStartTime().isBefore(taskSpan[0].minusSeconds(1)), e.getStartTime() + "");
        assertFalse(e.getStartTime().isAfter(taskSpan[1].plusSeconds(1)), e.getStartTime() + "");
        inTask++;
      }
    }
    assertTrue(inTask >= fin.totalSamples(), inTask + " in the raw file, " + fin.totalSamples());
    java.nio.file.Files.delete(raw);

    assertEquals(ProfileReport.JFR, secondProfile.engine());
    assertEquals(
        "async-profiler was recording another call's profile (one at a time): sampled by JFR",
        secondProfile.engineNote());
    assertTrue(mentions(secondProfile.total(), ITERATIVE), secondProfile.total().toString());
    assertFalse(mentions(secondProfile.total(), NAIVE), secondProfile.total().toString());
  }

  /** Two real profiles whose difference is known: one is all naive, the other all iterative. */
  @Test
  void diff_ofNaiveThenIterative_showsNaiveShrinkingAndIterativeGrowing() {
    ProfileSession first = PROFILER.start(JfrProfiler.FINEST_PERIOD);
    first.mark(0, 0, () -> spin(() -> FibKernels.naive(27), Duration.ofMillis(600)));
    ProfileReport naive = first.finish(5, false);
    ProfileSession second = PROFILER.start(JfrProfiler.FINEST_PERIOD);
    second.mark(
        0,
        0,
        () ->
            spin(
                () -> FibKernels.iterative(20_000, CancellationToken.NONE),
                Duration.ofMillis(300)));
    ProfileReport iterative = second.finish(5, false);

    String pairs =
        new String(
            Artifacts.diffCollapsed(naive, iterative), java.nio.charset.StandardCharsets.UTF_8);
    long beforeTotal = 0;
    long afterTotal = 0;
    for (String line : pairs.split("\n")) {
      String[] f = line.split(" ");
      long before = Long.parseLong(f[f.length - 2]);
      long after = Long.parseLong(f[f.length - 1]);
      beforeTotal += before;
      afterTotal += after;
      String leaf = f[0].substring(f[0].lastIndexOf(';') + 1);
      if (f[0].contains("FibKernels.naive(")) {
        assertEquals(0, after, line); // gone in the second profile
        assertEquals(
            Math.round(
                naive.collapsedStacks().get(f[0])
                    * (double) iterative.totalSamples()
                    / naive.totalSamples()),
            before,
            "scaled to the second profile's samples: " + line);
      } else if (f[0].contains("FibKernels.iterative(")) {
        assertEquals(0, before, line); // new in the second
        assertEquals(iterative.collapsedStacks().get(f[0]), after, line);
      } else {
        assertFalse(leaf.isEmpty(), line);
      }
    }
    assertEquals(iterative.totalSamples(), afterTotal);
    // The scaled column adds up to the second profile's total, give or take rounding per stack.
    assertTrue(
        Math.abs(beforeTotal - iterative.totalSamples()) <= naive.collapsedStacks().size(),
        beforeTotal + " vs " + iterative.totalSamples());
    String html =
        new String(
            Artifacts.diffFlameGraphHtml(naive, iterative, "naive to iterative"),
            java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(html.contains("naive to iterative"));
    assertTrue(html.contains("FibKernels.iterative"), "the second profile's frames are drawn");
  }

  /** Snapshots until the stream has delivered everything (two flushes without a new sample). */
  private static ProfileReport settled(ProfileSession session) throws InterruptedException {
    ProfileReport report = session.snapshot(5);
    int unchanged = 0;
    for (int i = 0; i < 100 && unchanged < 8; i++) {
      Thread.sleep(250);
      ProfileReport next = session.snapshot(5);
      unchanged = next.totalSamples() == report.totalSamples() ? unchanged + 1 : 0;
      report = next;
    }
    return report;
  }

  private static boolean mentions(List<HotMethod> methods, String prefix) {
    return methods.stream().anyMatch(m -> m.method().startsWith(prefix));
  }

  private static void spin(Runnable work, Duration length) {
    long end = System.nanoTime() + length.toNanos();
    while (System.nanoTime() < end) {
      work.run();
    }
  }
}
