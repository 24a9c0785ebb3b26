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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What watchers cost the runs they watch. Each round runs the same Serial twice against one server
 * JVM, once plain and once with the condition under test, in alternating order (plain first on even
 * rounds, second on odd ones, so drift and order cannot pass for an effect), and records the ratio
 * of the two task times. The conditions:
 *
 * <ul>
 *   <li>{@code watchers}: {@code N} WatchRuns streams open, each read by its own thread;
 *   <li>{@code none}: nothing; the ratios' spread is this machine's noise for the same work;
 *   <li>{@code spin}: one thread spinning on the other core, what any load there costs.
 * </ul>
 *
 * <p>Prints the median ratio with its interquartile range, and the server process's CPU time per
 * run in each kind: what serving the streams costs, measured by the OS rather than inferred.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.WatcherOverhead [rounds] [watchers|none|spin] [N]
 * </pre>
 */
public final class WatcherOverhead {
  private static final Workload WORK = Workload.of(36, 36, 36, 36, 36, 36, 36, 36);
  private static final int WARM_ROUNDS = 20;

  private WatcherOverhead() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    String condition = args.length > 1 ? args[1] : "watchers";
    int watchers = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    if (!List.of("watchers", "none", "spin").contains(condition)) {
      throw new IllegalArgumentException(
          "condition=" + condition + " must be one of watchers, none, spin");
    }
    try (ServerJvm server = ServerJvm.start("--max-watchers", String.valueOf(watchers));
        FibPerfClient client = server.client()) {
      for (int i = 0; i < 5; i++) {
        client.serial(WORK); // warm
      }
      // Connections are made once: a watcher's cost is its stream, not its TCP handshake.
      List<FibPerfClient> clients = new ArrayList<>();
      for (int w = 0; w < watchers; w++) {
        clients.add(server.client());
        clients.get(w).health();
      }
      double[] ratio = new double[rounds];
      double[] cpuRatio = new double[rounds];
      double[] plainCpu = new double[rounds];
      double[] testedCpu = new double[rounds];
      AtomicLong events = new AtomicLong();
      // Rounds before these are uncounted warm-up of both kinds: until the JIT has compiled the
      // streaming path (some 20 rounds with watchers), the server spends seconds of C2 time on it.
      for (int r = -WARM_ROUNDS; r < rounds; r++) {
        double plain = 0;
        double tested = 0;
        double plainTaskCpu = 0;
        double testedTaskCpu = 0;
        for (boolean testedNow :
            r % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
          Condition c = testedNow ? open(condition, clients, events) : Condition.NOTHING;
          Thread.sleep(200); // the same pause before both kinds of run, with the watches open
          long cpu0 = server.cpuTime().toNanos();
          RunSummary summary = client.serial(WORK);
          double task = taskMillis(summary);
          double taskCpu = summary.cpuTime().orElseThrow().toNanos() / 1e6;
          double cpu = (server.cpuTime().toNanos() - cpu0) / 1e6;
          c.close();
          if (testedNow) {
            tested = task;
            testedTaskCpu = taskCpu;
          } else {
            plain = task;
            plainTaskCpu = taskCpu;
          }
          if (r >= 0) {
            (testedNow ? testedCpu : plainCpu)[r] = cpu;
          }
        }
        if (r >= 0) {
          ratio[r] = tested / plain;
          cpuRatio[r] = testedTaskCpu / plainTaskCpu;
        }
      }
      clients.forEach(FibPerfClient::close);
      System.out.printf(
          Locale.ROOT,
          "java %s, Serial %s, %d rounds after %d of warm-up, condition %s%s (%d events read)%n",
          Runtime.version(),
          WORK.nums(),
          rounds,
          WARM_ROUNDS,
          condition,
          condition.equals("watchers") ? " × " + watchers : "",
          events.get());
      System.out.printf(
          Locale.ROOT,
          "  task time, with / without: median %.3f (IQR %.3f–%.3f, range %.3f–%.3f)%n",
          quantile(ratio, 0.5),
          quantile(ratio, 0.25),
          quantile(ratio, 0.75),
          quantile(ratio, 0),
          quantile(ratio, 1));
      System.out.printf(
          Locale.ROOT,
          "  tasks' CPU time, with / without: median %.3f (IQR %.3f–%.3f, range %.3f–%.3f)%n",
          quantile(cpuRatio, 0.5),
          quantile(cpuRatio, 0.25),
          quantile(cpuRatio, 0.75),
          quantile(cpuRatio, 0),
          quantile(cpuRatio, 1));
      System.out.printf(
          Locale.ROOT,
          "  server CPU per run: without %.1f ms, with %.1f ms (medians)%n",
          quantile(plainCpu, 0.5),
          quantile(testedCpu, 0.5));
    }
  }

  /** What is running beside a run, closed after it. */
  private interface Condition extends AutoCloseable {
    Condition NOTHING = () -> {};

    @Override
    void close() throws InterruptedException;
  }

  private static Condition open(String condition, List<FibPerfClient> clients, AtomicLong events) {
    return switch (condition) {
      case "none" -> Condition.NOTHING;
      case "spin" -> spinner();
      default -> watches(clients, events);
    };
  }

  private static Condition spinner() {
    AtomicBoolean spinning = new AtomicBoolean(true);
    Thread spinner =
        new Thread(
            () -> {
              while (spinning.get()) {
                Thread.onSpinWait();
              }
            });
    spinner.start();
    return () -> {
      spinning.set(false);
      spinner.join();
    };
  }

  private static Condition watches(List<FibPerfClient> clients, AtomicLong events) {
    List<EventStream> watches = new ArrayList<>();
    List<Thread> readers = new ArrayList<>();
    for (FibPerfClient c : clients) {
      EventStream watch = c.watchRuns(0, null);
      watches.add(watch);
      Thread reader =
          new Thread(
              () -> {
                try {
                  for (FibEvent ignored : watch) {
                    events.incrementAndGet();
                  }
                } catch (RuntimeException closed) {
                  // the watch was closed at the end of the run
                }
              });
      reader.start();
      readers.add(reader);
    }
    return () -> {
      watches.forEach(EventStream::close);
      for (Thread t : readers) {
        t.join();
      }
    };
  }

  private static double taskMillis(RunSummary s) {
    return s.taskTime().toNanos() / 1e6;
  }

  /** The q-quantile by linear interpolation between order statistics. */
  private static double quantile(double[] v, double q) {
    double[] s = v.clone();
    Arrays.sort(s);
    double pos = q * (s.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return s[lo] + (pos - lo) * (s[hi] - s[lo]);
  }
}
