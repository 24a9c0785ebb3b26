package dev.fibperf.bench;

import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibEvent;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.RunWatchEvent;
import dev.fibperf.client.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * What watchers cost the runs they watch, against this machine's noise measured in the same
 * sitting. Each round runs the same Serial three times against one server JVM: plain, plain again
 * (the A/A control: the spread of its ratio to the first is the noise for the same work) and with
 * the condition under test, in an order that cycles through all six permutations, so drift and
 * position cannot pass for an effect. The conditions:
 *
 * <ul>
 *   <li>{@code watchers}: {@code N} WatchRuns streams open, each read by its own thread;
 *   <li>{@code load:P}: a process beside the server, on the server's cores, that keeps P % of one
 *       core busy (in slices of a 10 ms period) during the run: a positive control. A cost of known
 *       size, e.g. the watchers' own CPU, shows what this machine's noise lets this benchmark see.
 * </ul>
 *
 * <p>Prints the median ratios with their interquartile ranges and whether the condition's median
 * lies inside the control's interquartile range, and where the server's CPU went in each arm, by
 * kind of thread, with the time its workers spent runnable but waiting for a core (Linux's
 * per-thread scheduler statistics, {@link ThreadTimes}): what serving the streams costs, measured
 * by the OS rather than inferred, and whether the JIT had settled.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.WatcherOverhead [rounds] [watchers|load:P] [N] [warm-up rounds]
 * </pre>
 */
public final class WatcherOverhead {
  private static final Workload WORK = Workload.of(36, 36, 36, 36, 36, 36, 36, 36);

  /** The three runs of a round. */
  private enum Arm {
    PLAIN("plain"),
    CONTROL("plain again"),
    TESTED("with");

    final String label;

    Arm(String label) {
      this.label = label;
    }
  }

  private static final Arm[][] ORDERS = {
    {Arm.PLAIN, Arm.CONTROL, Arm.TESTED},
    {Arm.CONTROL, Arm.TESTED, Arm.PLAIN},
    {Arm.TESTED, Arm.PLAIN, Arm.CONTROL},
    {Arm.PLAIN, Arm.TESTED, Arm.CONTROL},
    {Arm.TESTED, Arm.CONTROL, Arm.PLAIN},
    {Arm.CONTROL, Arm.PLAIN, Arm.TESTED},
  };

  private WatcherOverhead() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    String condition = args.length > 1 ? args[1] : "watchers";
    int watchers = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    // Until the JIT has compiled the streaming path, the server's compilers take CPU from the
    // watched run (on one core, from its worker): tens of compilations a second were still
    // happening after 20 rounds with watchers. The JIT row of the output shows what is left.
    int warmRounds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
    double loadPercent =
        condition.startsWith("load:") ? Double.parseDouble(condition.substring(5)) : 0;
    if (!condition.equals("watchers") && !(loadPercent > 0 && loadPercent <= 100)) {
      throw new IllegalArgumentException(
          "condition=" + condition + " must be watchers or load:P with 0 < P <= 100");
    }
    try (ServerJvm server = ServerJvm.start("--max-watchers", String.valueOf(watchers));
        FibPerfClient client = server.client();
        CpuLoad load = loadPercent > 0 ? CpuLoad.start() : null) {
      for (int i = 0; i < 5; i++) {
        client.serial(WORK); // warm
      }
      // Connections are made once: a watcher's cost is its stream, not its TCP handshake.
      List<FibPerfClient> clients = new ArrayList<>();
      for (int w = 0; w < watchers; w++) {
        clients.add(server.client());
        clients.get(w).health();
      }
      Map<Arm, double[]> taskMillis = new EnumMap<>(Arm.class);
      Map<Arm, double[]> taskCpuMillis = new EnumMap<>(Arm.class);
      Map<Arm, List<Map<String, ThreadTimes.Times>>> threads = new EnumMap<>(Arm.class);
      for (Arm arm : Arm.values()) {
        taskMillis.put(arm, new double[rounds]);
        taskCpuMillis.put(arm, new double[rounds]);
        threads.put(arm, new ArrayList<>());
      }
      AtomicLong events = new AtomicLong();
      for (int r = -warmRounds; r < rounds; r++) { // rounds before 0 are uncounted warm-up
        for (Arm arm : ORDERS[Math.floorMod(r, ORDERS.length)]) {
          Condition c =
              arm != Arm.TESTED
                  ? Condition.NOTHING
                  : load != null ? load.at(loadPercent) : watches(clients, events);
          Thread.sleep(200); // the same pause before every run, with the watches open
          ThreadTimes before = ThreadTimes.of(server.pid());
          ThreadTimes loadBefore = load == null ? null : ThreadTimes.of(load.pid());
          RunSummary summary = client.serial(WORK);
          Map<String, ThreadTimes.Times> used = ThreadTimes.of(server.pid()).since(before);
          if (load != null) {
            ThreadTimes.of(load.pid()).since(loadBefore).values().stream()
                .reduce(ThreadTimes.Times::plus)
                .ifPresent(t -> used.put("load beside", t));
          }
          c.close();
          if (r >= 0) {
            taskMillis.get(arm)[r] = summary.taskTime().toNanos() / 1e6;
            taskCpuMillis.get(arm)[r] = summary.cpuTime().orElseThrow().toNanos() / 1e6;
            threads.get(arm).add(used);
          }
        }
      }
      clients.forEach(FibPerfClient::close);
      report(condition, watchers, rounds, warmRounds, events.get(), taskMillis, taskCpuMillis);
      reportThreads(threads);
    }
  }

  private static void report(
      String condition,
      int watchers,
      int rounds,
      int warmRounds,
      long events,
      Map<Arm, double[]> taskMillis,
      Map<Arm, double[]> taskCpuMillis) {
    String tested =
        condition.equals("watchers")
            ? watchers + " watchers"
            : "a load of " + condition.substring(5) + " % of a core";
    System.out.printf(
        Locale.ROOT,
        "java %s, Serial %s, %d rounds after %d of warm-up, with %s%s%n",
        Runtime.version(),
        WORK.nums(),
        rounds,
        warmRounds,
        tested,
        condition.equals("watchers")
            ? String.format(
                Locale.ROOT,
                " (%.1f events read per watcher per run)",
                events / (double) (watchers * (rounds + warmRounds)))
            : "");
    double[] effect = ratios(taskMillis.get(Arm.TESTED), taskMillis.get(Arm.PLAIN));
    double[] noise = ratios(taskMillis.get(Arm.CONTROL), taskMillis.get(Arm.PLAIN));
    printRatio("task time, with / plain", effect);
    printRatio("task time, plain again / plain (noise)", noise);
    printRatio(
        "tasks' CPU time, with / plain",
        ratios(taskCpuMillis.get(Arm.TESTED), taskCpuMillis.get(Arm.PLAIN)));
    printRatio(
        "tasks' CPU time, plain again / plain",
        ratios(taskCpuMillis.get(Arm.CONTROL), taskCpuMillis.get(Arm.PLAIN)));
    double median = quantile(effect, 0.5);
    boolean inside = median >= quantile(noise, 0.25) && median <= quantile(noise, 0.75);
    System.out.printf(
        Locale.ROOT,
        "  with %s the median task time changed by %+.1f %%, %s the noise's interquartile range"
            + " (%+.1f %% to %+.1f %%)%n",
        tested,
        (median - 1) * 100,
        inside ? "inside" : "outside",
        (quantile(noise, 0.25) - 1) * 100,
        (quantile(noise, 0.75) - 1) * 100);
  }

  private static void reportThreads(Map<Arm, List<Map<String, ThreadTimes.Times>>> threads) {
    System.out.printf(
        Locale.ROOT,
        "  server, per run (median ms, from the OS)  %12s %12s %12s%n",
        Arm.PLAIN.label,
        Arm.CONTROL.label,
        Arm.TESTED.label);
    printThreadRow("workers waiting for a core", threads, "workers", ThreadTimes.Times::waitNanos);
    for (String kind :
        List.of(
            "workers", "event loops", "watch delivery", "JIT compilers", "GC and VM", "other")) {
      printThreadRow("CPU: " + kind, threads, kind, ThreadTimes.Times::cpuNanos);
    }
    if (threads.get(Arm.TESTED).stream().anyMatch(run -> run.containsKey("load beside"))) {
      printThreadRow(
          "CPU of the load beside the server", threads, "load beside", ThreadTimes.Times::cpuNanos);
    }
  }

  private static void printThreadRow(
      String label,
      Map<Arm, List<Map<String, ThreadTimes.Times>>> threads,
      String kind,
      ToLongFunction<ThreadTimes.Times> field) {
    System.out.printf(Locale.ROOT, "  %-41s", label);
    for (Arm arm : Arm.values()) {
      double[] perRun =
          threads.get(arm).stream()
              .mapToDouble(
                  run -> field.applyAsLong(run.getOrDefault(kind, ThreadTimes.Times.ZERO)) / 1e6)
              .toArray();
      System.out.printf(Locale.ROOT, " %12.1f", quantile(perRun, 0.5));
    }
    System.out.println();
  }

  private static void printRatio(String label, double[] ratios) {
    System.out.printf(
        Locale.ROOT,
        "  %-40s median %.3f (IQR %.3f–%.3f, range %.3f–%.3f)%n",
        label + ":",
        quantile(ratios, 0.5),
        quantile(ratios, 0.25),
        quantile(ratios, 0.75),
        quantile(ratios, 0),
        quantile(ratios, 1));
  }

  /** What is running beside a run, closed after it. */
  private interface Condition extends AutoCloseable {
    Condition NOTHING = () -> {};

    @Override
    void close() throws InterruptedException;
  }

  /**
   * {@code clients.size()} watches of every run, each read by a thread of its own until it has seen
   * the run end: closing a watch the moment the run returns would cut its last batch, and the count
   * of events read would not show that every watcher got every event.
   */
  private static Condition watches(List<FibPerfClient> clients, AtomicLong events) {
    List<EventStream> watches = new ArrayList<>();
    CountDownLatch sawTheEnd = new CountDownLatch(clients.size());
    List<Thread> readers = new ArrayList<>();
    for (FibPerfClient c : clients) {
      EventStream watch = c.watchRuns(0, null);
      watches.add(watch);
      Thread reader =
          new Thread(
              () -> {
                try {
                  for (FibEvent e : watch) {
                    events.incrementAndGet();
                    if (e instanceof RunWatchEvent w && w.kind() == RunWatchEvent.Kind.FINISHED) {
                      sawTheEnd.countDown();
                    }
                  }
                } catch (RuntimeException closed) {
                  // the watch was closed after the run
                }
              });
      reader.start();
      readers.add(reader);
    }
    return () -> {
      if (!sawTheEnd.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("a watcher did not see the run end within 30 s");
      }
      watches.forEach(EventStream::close);
      for (Thread t : readers) {
        t.join();
      }
    };
  }

  /**
   * A process that keeps a share of one core busy on request, on the server's cores ({@code
   * -Dfibperf.bench.serverCpus}), started once so that its JVM's start-up is not in any run.
   */
  private static final class CpuLoad implements AutoCloseable {
    private final Process process;
    private final java.io.PrintStream control;

    private CpuLoad(Process process) {
      this.process = process;
      this.control = new java.io.PrintStream(process.getOutputStream(), true);
    }

    static CpuLoad start() throws java.io.IOException {
      List<String> command = new ArrayList<>();
      String cpus = System.getProperty("fibperf.bench.serverCpus");
      if (cpus != null) {
        command.addAll(List.of("taskset", "-c", cpus));
      }
      command.addAll(
          List.of(
              java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp",
              System.getProperty("java.class.path"),
              Busy.class.getName()));
      return new CpuLoad(
          new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    long pid() {
      return process.pid();
    }

    /** Busy at {@code percent} of a core until the returned condition is closed. */
    Condition at(double percent) {
      control.println(percent);
      return () -> control.println(0);
    }

    @Override
    public void close() {
      control.close(); // end of input: it exits
      process.destroy();
    }
  }

  /**
   * {@link CpuLoad}'s process: reads a percentage per line from stdin and keeps to it, counting its
   * own CPU time (not the clock, which runs on while the server has the core), and idle at 0.
   */
  static final class Busy {
    private static final long PERIOD_NANOS = 10_000_000;
    private static final Object LOCK = new Object();
    private static double share; // guarded by LOCK

    public static void main(String[] args) throws Exception {
      Thread spinner = new Thread(Busy::spin);
      spinner.setDaemon(true);
      spinner.start();
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
      for (String line; (line = in.readLine()) != null; ) {
        synchronized (LOCK) {
          share = Double.parseDouble(line.strip()) / 100;
          LOCK.notifyAll();
        }
      }
    }

    private static void spin() {
      var threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long next = System.nanoTime();
      while (true) {
        double now;
        synchronized (LOCK) {
          while (share == 0) {
            try {
              LOCK.wait();
            } catch (InterruptedException e) {
              return;
            }
            next = System.nanoTime();
          }
          now = share;
        }
        long cpuUntil = threads.getCurrentThreadCpuTime() + (long) (PERIOD_NANOS * now);
        while (threads.getCurrentThreadCpuTime() < cpuUntil) {
          Thread.onSpinWait();
        }
        next += PERIOD_NANOS;
        java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
      }
    }
  }

  private static double[] ratios(double[] over, double[] under) {
    double[] r = new double[over.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = over[i] / under[i];
    }
    return r;
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
