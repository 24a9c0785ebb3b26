package dev.fibperf.bench;

import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibEvent;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What watchers cost the runs they watch: task time of the same Serial with no watcher and with
 * {@code watchers} WatchRuns streams reading every event, rounds alternating the two, against one
 * server JVM. Prints the medians and ranges, and the ratio of the medians. With {@code spin}, the
 * second kind of round has no watcher but one thread spinning on the other core: the control for
 * what any load on the second core costs on this machine.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.WatcherOverhead [rounds] [watchers] [spin]
 * </pre>
 */
public final class WatcherOverhead {
  private static final Workload WORK = Workload.of(36, 36, 36, 36, 36, 36, 36, 36);

  private WatcherOverhead() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
    int watchers = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    // The control: instead of watchers, one thread spinning on the other core for the round.
    boolean control = args.length > 2 && args[2].equals("spin");
    try (ServerJvm server = ServerJvm.start("--max-watchers", String.valueOf(watchers));
        FibPerfClient client = server.client()) {
      for (int i = 0; i < 3; i++) {
        client.serial(WORK); // warm
      }
      double[] alone = new double[rounds];
      double[] watched = new double[rounds];
      AtomicLong events = new AtomicLong();
      // Connections are made once: a watcher's cost is its stream, not its TCP handshake.
      List<FibPerfClient> clients = new ArrayList<>();
      for (int w = 0; w < watchers; w++) {
        clients.add(server.client());
        clients.get(w).health("");
      }
      for (int r = 0; r < rounds; r++) {
        Thread.sleep(200); // the same pause before both kinds of run
        alone[r] = taskMillis(client.serial(WORK));
        List<EventStream> watches = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean spinning =
            new java.util.concurrent.atomic.AtomicBoolean(control);
        if (control) {
          Thread spinner =
              new Thread(
                  () -> {
                    while (spinning.get()) {
                      Thread.onSpinWait();
                    }
                  });
          spinner.start();
          readers.add(spinner);
        }
        for (int w = 0; w < (control ? 0 : watchers); w++) {
          EventStream watch = clients.get(w).watchRuns(0, null);
          watches.add(watch);
          Thread reader =
              new Thread(
                  () -> {
                    try {
                      for (FibEvent ignored : watch) {
                        events.incrementAndGet();
                      }
                    } catch (RuntimeException closed) {
                      // the watch was closed at the end of the round
                    }
                  });
          reader.start();
          readers.add(reader);
        }
        Thread.sleep(200); // the watches are open before the run starts
        watched[r] = taskMillis(client.serial(WORK));
        spinning.set(false);
        watches.forEach(EventStream::close);
        for (Thread t : readers) {
          t.join();
        }
      }
      clients.forEach(FibPerfClient::close);
      System.out.printf(
          Locale.ROOT,
          "java %s, Serial %s, %d rounds, %d watchers (%d events read)%n",
          Runtime.version(),
          WORK.nums(),
          rounds,
          watchers,
          events.get());
      System.out.printf(Locale.ROOT, "  no watcher    task time median %s%n", summary(alone));
      System.out.printf(
          Locale.ROOT, "  %2d watchers   task time median %s%n", watchers, summary(watched));
      System.out.printf(Locale.ROOT, "  ratio of medians %.3f%n", median(watched) / median(alone));
    }
  }

  private static double taskMillis(RunSummary s) {
    return s.taskTime().toNanos() / 1e6;
  }

  private static String summary(double[] v) {
    return String.format(
        Locale.ROOT,
        "%.1f ms (%.1f–%.1f)",
        median(v),
        Arrays.stream(v).min().orElse(0),
        Arrays.stream(v).max().orElse(0));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
