package dev.fibperf.bench;

import dev.fibperf.client.Algorithm;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.PoolKind;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.TaskFinished;
import dev.fibperf.client.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the cluster pool costs and when it pays, on loopback replicas: three server JVMs with one
 * worker each, every one listing all three as {@code --peers}, the first one coordinating.
 *
 * <ol>
 *   <li><b>Hand-off per task</b>: 300 tiny tasks (iterative fib(1)) on threads, processes and the
 *       cluster, rounds interleaved; the summary's {@code handoffPerTask} (round trip minus
 *       computation and queueing).
 *   <li><b>Break-even task size</b>: six naive fib(n) tasks, n from 16 to 32: the cluster's
 *       hand-off as a share of the task, and the Parallel's wall on the cluster against the same
 *       tasks' Serial wall on one thread.
 *   <li><b>Attainment</b>: Compare on the cluster against Compare on one server's thread pool with
 *       as many workers, alternating: 3 replicas x 1 worker against 3 threads (both put three
 *       workers on this machine's 2 cores alike), and 2 x 1 against 2 threads (one core each).
 * </ol>
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.ClusterScaling [rounds] [handoff,attainment]
 * </pre>
 *
 * <p>Every pool is warmed with {@link #WARM_UP_RUNS} runs of the hand-off workload first, and the
 * hand-off of the first and last of them is printed: a replica's gRPC path is interpreted code for
 * its first few thousand calls, and a cluster spreads a run's calls over all its replicas, so a
 * short warm-up measures the JIT, not the network (this bench once reported 2.6 ms per task after
 * 600 warm-up tasks, against about 0.5 ms after 6,000).
 */
public final class ClusterScaling {
  private ClusterScaling() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<String> parts =
        List.of((args.length > 1 ? args[1] : "handoff,attainment,pinned").split(","));
    if (parts.contains("handoff")) {
      handoffAndBreakEven(rounds);
    }
    if (parts.contains("attainment")) {
      attainment(3, rounds, false);
      attainment(2, rounds, false);
    }
    if (parts.contains("pinned")) {
      attainment(2, rounds, true);
    }
  }

  /** {@code count} one-worker replicas on loopback, each listing all as its peers. */
  private static List<ServerJvm> replicas(int count) throws Exception {
    return replicas(count, false);
  }

  /**
   * {@code count} one-worker replicas on loopback, each listing all as its peers; with {@code
   * pinned}, replica i runs on CPU i only, a core of its own.
   */
  private static List<ServerJvm> replicas(int count, boolean pinned) throws Exception {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ports.add(ServerJvm.freePort());
    }
    String peers = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    List<ServerJvm> servers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      servers.add(
          ServerJvm.startPinned(
              pinned ? String.valueOf(i) : null,
              ports.get(i),
              "--workers",
              "1",
              "--no-profiling",
              "--peers",
              peers,
              // Plaintext on loopback, as the hand-off figures below were always measured;
              // a deployed cluster adds TLS to each peer call.
              "--insecure-plaintext-peers-on-loopback",
              "--cluster-secret-file",
              ServerJvm.clusterSecret().toString()));
    }
    return servers;
  }

  private static void handoffAndBreakEven(int rounds) throws Exception {
    List<ServerJvm> servers = replicas(3);
    try (FibPerfClient client = servers.get(0).client()) {
      Workload tiny = Workload.of(ones(300)).withAlgorithm(Algorithm.ITERATIVE);
      // The cluster twice: one task in flight (a round trip with nothing beside it), and one per
      // worker (three JVMs' threads sharing the 2 cores).
      List<Workload> runs =
          List.of(
              tiny.withPool(PoolKind.THREADS),
              tiny.withPool(PoolKind.PROCESSES),
              tiny.withPool(PoolKind.CLUSTER).withParallelism(1),
              tiny.withPool(PoolKind.CLUSTER));
      System.out.println("## Warm-up: hand-off per task of the first and last warm-up run");
      for (Workload w : runs) {
        double first = client.parallel(w).handoffPerTask().toNanos() / 1e3; // starts the pool
        double last = first;
        for (int i = 1; i < WARM_UP_RUNS; i++) {
          last = client.parallel(w).handoffPerTask().toNanos() / 1e3;
        }
        System.out.printf(
            Locale.ROOT,
            "%s, parallelism %d: run 1 %s µs, run %d %s µs%n",
            w.pool(),
            w.parallelism(),
            fmt(first),
            WARM_UP_RUNS,
            fmt(last));
      }
      List<List<Double>> handoffMicros = new ArrayList<>();
      List<List<Double>> wallMillis = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        handoffMicros.add(new ArrayList<>());
        wallMillis.add(new ArrayList<>());
      }
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < runs.size(); i++) {
          RunSummary s = client.parallel(runs.get(i));
          handoffMicros.get(i).add(s.handoffPerTask().toNanos() / 1e3);
          wallMillis.get(i).add(s.wall().toNanos() / 1e6);
        }
      }
      System.out.println("## Hand-off per task: 300 x iterative fib(1)");
      System.out.println(
          "| pool | tasks in flight | hand-off per task, median (min-max) | wall, median |");
      System.out.println("|---|---|---|---|");
      for (int i = 0; i < runs.size(); i++) {
        Workload w = runs.get(i);
        System.out.printf(
            Locale.ROOT,
            "| %s | %d | %s µs (%s-%s) | %.1f ms |%n",
            w.pool(),
            w.pool() == PoolKind.CLUSTER && w.parallelism() == 0 ? 3 : 1,
            fmt(ProfileOverhead.median(handoffMicros.get(i))),
            fmt(min(handoffMicros.get(i))),
            fmt(max(handoffMicros.get(i))),
            ProfileOverhead.median(wallMillis.get(i)));
      }

      System.out.println();
      System.out.println("## Break-even: 6 x naive fib(n), cluster Parallel (3 x 1 worker)");
      System.out.println(
          "| n | task, median | cluster hand-off per task | hand-off / task | serial wall |"
              + " cluster wall | speedup |");
      System.out.println("|---|---|---|---|---|---|---|");
      for (int n = 16; n <= 32; n += 2) {
        Workload six = Workload.of(n, n, n, n, n, n);
        client.serial(six);
        client.parallel(six.withPool(PoolKind.CLUSTER));
        List<Double> task = new ArrayList<>();
        List<Double> handoff = new ArrayList<>();
        List<Double> speedup = new ArrayList<>();
        List<Double> serialWall = new ArrayList<>();
        List<Double> clusterWall = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          RunSummary serial = client.serial(six);
          RunSummary cluster = client.parallel(six.withPool(PoolKind.CLUSTER));
          for (TaskFinished t : cluster.results()) {
            task.add(t.duration().toNanos() / 1e3);
          }
          handoff.add(cluster.handoffPerTask().toNanos() / 1e3);
          serialWall.add(serial.wall().toNanos() / 1e3);
          clusterWall.add(cluster.wall().toNanos() / 1e3);
          speedup.add((double) serial.wall().toNanos() / cluster.wall().toNanos());
        }
        double t = ProfileOverhead.median(task);
        double h = ProfileOverhead.median(handoff);
        System.out.printf(
            Locale.ROOT,
            "| %d | %s µs | %s µs | %.2f | %s µs | %s µs | %.2fx (%.2f-%.2f) |%n",
            n,
            fmt(t),
            fmt(h),
            h / t,
            fmt(ProfileOverhead.median(serialWall)),
            fmt(ProfileOverhead.median(clusterWall)),
            ProfileOverhead.median(speedup),
            min(speedup),
            max(speedup));
      }
    } finally {
      servers.forEach(ServerJvm::close);
    }
  }

  /** Runs of 300 tiny tasks each pool gets before anything is measured: see the class comment. */
  static final int WARM_UP_RUNS = 20;

  private static final Workload COMPARE = Workload.of(35, 36, 37, 35, 36, 37);

  /**
   * With {@code pinned}, each replica runs on a CPU of its own ({@code taskset}), as replicas on
   * machines of their own would, and the thread pool's server on all of them.
   */
  private static void attainment(int workers, int rounds, boolean pinned) throws Exception {
    List<ServerJvm> cluster = replicas(workers, pinned);
    ServerJvm threads =
        ServerJvm.startPinned(
            pinned ? "0-" + (workers - 1) : null,
            ServerJvm.freePort(),
            "--workers",
            String.valueOf(workers),
            "--no-profiling");
    try (FibPerfClient onCluster = cluster.get(0).client();
        FibPerfClient onThreads = threads.client()) {
      onCluster.compare(COMPARE.withPool(PoolKind.CLUSTER));
      onThreads.compare(COMPARE);
      List<Double> clusterAttainment = new ArrayList<>();
      List<Double> threadAttainment = new ArrayList<>();
      List<Double> clusterSpeedup = new ArrayList<>();
      List<Double> threadSpeedup = new ArrayList<>();
      List<String> clusterVerdicts = new ArrayList<>();
      List<String> threadVerdicts = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        // Alternate which goes first, so a drift of the machine favours neither.
        for (int k = 0; k < 2; k++) {
          boolean clusterNow = (r + k) % 2 == 0;
          Comparison c =
              clusterNow
                  ? onCluster.compare(COMPARE.withPool(PoolKind.CLUSTER))
                  : onThreads.compare(COMPARE);
          (clusterNow ? clusterAttainment : threadAttainment).add(c.attainment());
          (clusterNow ? clusterSpeedup : threadSpeedup).add(c.speedup());
          (clusterNow ? clusterVerdicts : threadVerdicts).add(c.verdict().name());
          if (c.workers() != workers) {
            throw new IllegalStateException("workers " + c.workers() + " != " + workers);
          }
        }
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "## Compare %s, %d workers: cluster (%d replicas x 1%s) against threads (1 server x"
              + " %d)%n",
          COMPARE.nums(),
          workers,
          workers,
          pinned ? ", each pinned to a CPU of its own" : "",
          workers);
      System.out.println("| pool | attainment, median (min-max) | speedup, median | verdicts |");
      System.out.println("|---|---|---|---|");
      row("cluster", clusterAttainment, clusterSpeedup, clusterVerdicts);
      row("threads", threadAttainment, threadSpeedup, threadVerdicts);
    } finally {
      cluster.forEach(ServerJvm::close);
      threads.close();
    }
  }

  private static void row(String pool, List<Double> att, List<Double> speedup, List<String> v) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %.1f %% (%.1f-%.1f) | %.2fx | %s |%n",
        pool,
        100 * ProfileOverhead.median(att),
        100 * min(att),
        100 * max(att),
        ProfileOverhead.median(speedup),
        v);
  }

  private static int[] ones(int count) {
    int[] nums = new int[count];
    java.util.Arrays.fill(nums, 1);
    return nums;
  }

  private static double min(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private static String fmt(double micros) {
    return micros >= 100
        ? String.format(Locale.ROOT, "%.0f", micros)
        : String.format(Locale.ROOT, "%.1f", micros);
  }
}
