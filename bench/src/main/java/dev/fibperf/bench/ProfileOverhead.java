package dev.fibperf.bench;

import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibEvent;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfSettings;
import dev.fibperf.client.ProfileOptions;
import dev.fibperf.client.ProfileResult;
import dev.fibperf.client.ProfilingEngine;
import dev.fibperf.client.TaskFinished;
import dev.fibperf.client.Workload;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * ProfileSerial against Serial on the same inputs, for each profiling engine, in one process so all
 * see the same machine: each round runs Serial, then ProfileSerial with JFR and with
 * async-profiler, in an order that rotates each round, and takes each profile's task time over the
 * Serial's of the same round. Medians and ranges over rounds, with the samples each delivered per
 * second of task time (a 1 s run gets that many) and how long after the last task the profile
 * arrives. Not JMH: each sample is a multi-second call.
 *
 * <p>Besides the ratio of each round's task times, the ratio of the 10th percentiles of all the
 * single tasks' times over all rounds: a profiler slows every task alike, while a noisy neighbour
 * (this machine shares its cores) only ever makes a task slower, so the fastest tasks of each kind
 * are the ones least bent by the neighbours, and their ratio moves far less between sittings than
 * the ratio of whole calls.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.ProfileOverhead [rounds] [n,n,...] [snapshot-interval] [period]
 * </pre>
 */
public final class ProfileOverhead {
  private ProfileOverhead() {}

  private static final List<ProfilingEngine> ENGINES =
      List.of(ProfilingEngine.JFR, ProfilingEngine.ASYNC_PROFILER);

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
    int[] nums =
        args.length > 1
            ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
            : new int[] {40, 40, 40, 40, 40, 40};
    Workload workload = Workload.of(nums);
    ProfileOptions options =
        args.length > 2
            ? ProfileOptions.DEFAULT.withSnapshotInterval(java.time.Duration.parse(args[2]))
            : ProfileOptions.DEFAULT;
    if (args.length > 3) {
      options = options.withSamplingPeriod(java.time.Duration.parse(args[3]));
    }

    String name = InProcessServerBuilder.generateName();
    FibServer server =
        new FibServer(InProcessServerBuilder.forName(name), ServerConfig.newBuilder().build())
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    FibPerfClient client =
        FibPerfClient.create(channel, FibPerfSettings.newBuilder("in-process").build());

    // Warm-up: JIT the kernel and both engines' paths; not counted.
    client.serial(workload);
    for (ProfilingEngine engine : ENGINES) {
      client.profileSerial(workload, options.withEngine(engine));
    }

    Map<ProfilingEngine, List<Double>> ratios = new EnumMap<>(ProfilingEngine.class);
    Map<ProfilingEngine, List<Double>> rates = new EnumMap<>(ProfilingEngine.class);
    Map<ProfilingEngine, List<Double>> deliveryMs = new EnumMap<>(ProfilingEngine.class);
    Map<ProfilingEngine, String> used = new EnumMap<>(ProfilingEngine.class);
    Map<ProfilingEngine, List<Double>> taskMs = new EnumMap<>(ProfilingEngine.class);
    List<Double> serialTaskMs = new ArrayList<>();
    for (ProfilingEngine engine : ENGINES) {
      taskMs.put(engine, new ArrayList<>());
      ratios.put(engine, new ArrayList<>());
      rates.put(engine, new ArrayList<>());
      deliveryMs.put(engine, new ArrayList<>());
    }
    java.time.Duration period = null;
    for (int r = 0; r < rounds; r++) {
      // Rotate the order: Serial, JFR, async; then JFR, async, Serial; then async, Serial, JFR.
      List<ProfilingEngine> order =
          new ArrayList<>(Arrays.asList(null, ENGINES.get(0), ENGINES.get(1)));
      Collections.rotate(order, -(r % 3));
      double serialMs = 0;
      Map<ProfilingEngine, ProfileResult> profiled = new EnumMap<>(ProfilingEngine.class);
      for (ProfilingEngine engine : order) {
        if (engine == null) {
          dev.fibperf.client.RunSummary serial = client.serial(workload);
          serialMs = serial.taskTime().toNanos() / 1e6;
          serial.results().forEach(t -> serialTaskMs.add(t.duration().toNanos() / 1e6));
          continue;
        }
        long lastTaskNanos = 0;
        try (EventStream events =
            client.profileSerialStream(workload, options.withEngine(engine))) {
          for (FibEvent e : events) {
            if (e instanceof TaskFinished t) {
              lastTaskNanos = System.nanoTime();
              taskMs.get(engine).add(t.duration().toNanos() / 1e6);
            } else if (e instanceof ProfileResult p) {
              deliveryMs.get(engine).add((System.nanoTime() - lastTaskNanos) / 1e6);
              profiled.put(engine, p);
            }
          }
        }
      }
      StringBuilder line =
          new StringBuilder(String.format("round %d: serial %.1f ms", r + 1, serialMs));
      for (ProfilingEngine engine : ENGINES) {
        ProfileResult p = profiled.get(engine);
        double ms = p.run().taskTime().toNanos() / 1e6;
        ratios.get(engine).add(ms / serialMs);
        rates.get(engine).add(p.profile().samplesPerSecond());
        used.put(engine, p.profile().engine());
        period = p.profile().samplingPeriod();
        line.append(
            String.format(
                ", %s %.1f ms (%.4f, %.0f samples/s, top %s)",
                engine,
                ms,
                ms / serialMs,
                p.profile().samplesPerSecond(),
                p.profile().self().get(0).method()));
      }
      System.out.println(line);
    }
    System.out.printf(
        "%nnums %s, %d rounds, period %s, snapshots every %s, java %s%n",
        Arrays.toString(nums),
        rounds,
        options.samplingPeriod() == null
            ? "the server's default for this run, " + period
            : options.samplingPeriod(),
        options.snapshotInterval() == null ? "500ms (default)" : options.snapshotInterval(),
        Runtime.version());
    for (ProfilingEngine engine : ENGINES) {
      List<Double> r = ratios.get(engine);
      System.out.printf(
          "%-15s %-32s task time / Serial's: median %.4f (overhead %+.2f%%), range %.4f-%.4f;"
              + " %.0f samples per second of task time (median); profile %.0f ms after the last"
              + " task (median)%n",
          engine,
          used.get(engine),
          median(r),
          100 * (median(r) - 1),
          Collections.min(r),
          Collections.max(r),
          median(rates.get(engine)),
          median(deliveryMs.get(engine)));
    }
    double serialP10 = quantile(serialTaskMs, 0.10);
    for (ProfilingEngine engine : ENGINES) {
      double p10 = quantile(taskMs.get(engine), 0.10);
      System.out.printf(
          "%-15s fastest tenth of single tasks: p10 %.2f ms against Serial's %.2f ms (overhead"
              + " %+.2f%%; %d and %d tasks)%n",
          engine,
          p10,
          serialP10,
          100 * (p10 / serialP10 - 1),
          taskMs.get(engine).size(),
          serialTaskMs.size());
    }

    client.close();
    channel.shutdownNow();
    server.stop();
  }

  /** The {@code q} quantile, nearest rank. */
  static double quantile(List<Double> values, double q) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }
}
