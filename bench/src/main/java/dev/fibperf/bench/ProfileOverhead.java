package dev.fibperf.bench;

import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibEvent;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfSettings;
import dev.fibperf.client.ProfileOptions;
import dev.fibperf.client.ProfileResult;
import dev.fibperf.client.RunSummary;
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
import java.util.List;

/**
 * ProfileSerial against Serial on the same inputs, alternating in one process so both see the same
 * machine: task time of each, their ratio, and how long after the last task the profile arrives.
 * Not JMH: each sample is a multi-second call.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.ProfileOverhead [rounds] [n,n,...] [snapshot-interval]
 * </pre>
 */
public final class ProfileOverhead {
  private ProfileOverhead() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
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

    // Warm-up: JIT the kernel and JFR's paths; not counted.
    client.serial(workload);
    client.profileSerial(workload, options);

    List<Double> serialMs = new ArrayList<>();
    List<Double> profiledMs = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    List<Double> deliveryMs = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      RunSummary serial = client.serial(workload);
      long lastTaskNanos = 0;
      ProfileResult profiled = null;
      try (EventStream events = client.profileSerialStream(workload, options)) {
        for (FibEvent e : events) {
          if (e instanceof TaskFinished) {
            lastTaskNanos = System.nanoTime();
          } else if (e instanceof ProfileResult p) {
            deliveryMs.add((System.nanoTime() - lastTaskNanos) / 1e6);
            profiled = p;
          }
        }
      }
      double s = serial.taskTime().toNanos() / 1e6;
      double p = profiled.run().taskTime().toNanos() / 1e6;
      serialMs.add(s);
      profiledMs.add(p);
      ratios.add(p / s);
      rates.add(profiled.profile().samplesPerSecond());
      System.out.printf(
          "round %d: serial %.1f ms, profiled %.1f ms, ratio %.4f, profile %.1f ms after the last"
              + " task, %.0f samples/s, top %s%n",
          r + 1,
          s,
          p,
          p / s,
          deliveryMs.get(r),
          rates.get(r),
          profiled.profile().self().get(0).method());
    }
    System.out.printf(
        "%nnums %s, %d rounds, snapshots every %s, java %s%n",
        Arrays.toString(nums),
        rounds,
        options.snapshotInterval() == null ? "500ms (default)" : options.snapshotInterval(),
        Runtime.version());
    System.out.printf(
        "median task time: serial %.1f ms, profiled %.1f ms%n",
        median(serialMs), median(profiledMs));
    System.out.printf(
        "median ratio profiled/serial %.4f (overhead %+.2f%%), min %.4f, max %.4f%n",
        median(ratios),
        100 * (median(ratios) - 1),
        Collections.min(ratios),
        Collections.max(ratios));
    System.out.printf(
        "profile delivered after the last task: median %.1f ms, max %.1f ms%n",
        median(deliveryMs), Collections.max(deliveryMs));
    System.out.printf("samples delivered per second (1 ms asked): median %.0f%n", median(rates));

    client.close();
    channel.shutdownNow();
    server.stop();
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }
}
