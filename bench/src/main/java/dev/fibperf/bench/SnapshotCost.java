package dev.fibperf.bench;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ProfileOptions;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * What live snapshots cost a reader that takes them promptly. One server; rounds alternate a
 * ProfileSerial with the default snapshots (every 500 ms) and the same call with one snapshot an
 * hour (so none), order swapped each round. Each call's server CPU (from the OS) is measured, and
 * the tasks' own CPU (the summary's {@code cpu_time}, from the worker thread) taken from it: what
 * is left is what the profile, the snapshots and the call cost beyond the tasks. The figure is that
 * remainder with snapshots minus without, as a share of the tasks' CPU, median and range over
 * rounds. Taking the tasks' CPU out matters here: this VM's speed drifts by 20 % between runs of
 * the same work, far more than what is measured. The run is long (about 20 s) because the old
 * snapshots' cost grew with it.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.SnapshotCost [rounds] [tasks]
 * </pre>
 */
public final class SnapshotCost {
  private SnapshotCost() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int tasks = args.length > 1 ? Integer.parseInt(args[1]) : 50; // fib(40) ~0.4 s here: ~20 s
    try (ServerJvm server = ServerJvm.start()) {
      ManagedChannel channel =
          Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
              .build();
      FibPerfServiceGrpc.FibPerfServiceBlockingStub stub =
          FibPerfServiceGrpc.newBlockingStub(channel);
      run(server, stub, request(4, null)); // warm both paths: not measured
      run(server, stub, request(4, Duration.ofHours(1)));
      System.out.printf(
          Locale.ROOT,
          "java %s; ProfileSerial of %d x fib(40), 1 ms sampling, read promptly%n",
          Runtime.version(),
          tasks);
      System.out.println(
          "  round   with snapshots: tasks' CPU s, beyond (n)   without: tasks', beyond   extra");
      List<Double> extras = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        Measured with;
        Measured without;
        if (round % 2 == 1) {
          with = run(server, stub, request(tasks, null));
          without = run(server, stub, request(tasks, Duration.ofHours(1)));
        } else {
          without = run(server, stub, request(tasks, Duration.ofHours(1)));
          with = run(server, stub, request(tasks, null));
        }
        double extra =
            with.beyondTasks() / with.taskCpuSeconds
                - without.beyondTasks() / without.taskCpuSeconds;
        extras.add(100 * extra);
        System.out.printf(
            Locale.ROOT,
            "  %5d   %6.2f, %5.2f (%3d)                     %6.2f, %5.2f        %+5.2f %%%n",
            round,
            with.taskCpuSeconds,
            with.beyondTasks(),
            with.snapshots,
            without.taskCpuSeconds,
            without.beyondTasks(),
            100 * extra);
      }
      System.out.printf(
          Locale.ROOT,
          "server CPU beyond the tasks, with default snapshots minus without, per task CPU:"
              + " median %+.2f %% (range %+.2f to %+.2f)%n",
          ProfileOverhead.median(extras),
          Collections.min(extras),
          Collections.max(extras));
      channel.shutdownNow();
    }
  }

  private record Measured(double cpuSeconds, double taskCpuSeconds, int snapshots) {
    double beyondTasks() {
      return cpuSeconds - taskCpuSeconds;
    }
  }

  /** {@code interval} null: the server's default. */
  private static ProfileSerialRequest request(int tasks, Duration interval) {
    ProfileOptions.Builder options = ProfileOptions.newBuilder();
    if (interval != null) {
      options.setSnapshotInterval(
          com.google.protobuf.Duration.newBuilder().setSeconds(interval.toSeconds()));
    }
    return ProfileSerialRequest.newBuilder()
        .addAllNums(Collections.nCopies(tasks, 40))
        .setOptions(options)
        .build();
  }

  private static Measured run(
      ServerJvm server,
      FibPerfServiceGrpc.FibPerfServiceBlockingStub stub,
      ProfileSerialRequest request) {
    long cpu = server.cpuTime().toNanos();
    int snapshots = 0;
    double taskCpu = 0;
    Iterator<ProfileSerialResponse> events = stub.profileSerial(request);
    while (events.hasNext()) {
      ProfileSerialResponse event = events.next();
      if (event.hasSnapshot()) {
        snapshots++;
      }
      if (event.hasSummary()) {
        com.google.protobuf.Duration d = event.getSummary().getRun().getCpuTime();
        taskCpu = d.getSeconds() + d.getNanos() / 1e9;
      }
    }
    return new Measured((server.cpuTime().toNanos() - cpu) / 1e9, taskCpu, snapshots);
  }
}
