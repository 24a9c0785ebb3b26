package dev.fibperf.bench;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ProfileOptions;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;

/**
 * What a reader that stops reading costs the server. A ProfileSerial of 1,000 tasks with live
 * snapshots every 100 ms is started by a client that reads its first 10 messages and then nothing;
 * every 10 s for {@code seconds} the server process's CPU (from the OS) and resident memory (from
 * /proc) are printed. {@code --stalled-stream-timeout} is set past the end, so the run stays.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.StalledReaderCost [seconds]
 * </pre>
 */
public final class StalledReaderCost {
  private StalledReaderCost() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 120;
    try (ServerJvm server = ServerJvm.start("--stalled-stream-timeout", (seconds + 60) + "s")) {
      ManagedChannel channel =
          Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
              .build();
      ProfileSerialRequest request =
          ProfileSerialRequest.newBuilder()
              .addAllNums(Collections.nCopies(1000, 32))
              .setOptions(
                  ProfileOptions.newBuilder()
                      .setSnapshotInterval(
                          com.google.protobuf.Duration.newBuilder().setNanos(100_000_000)))
              .build();
      int[] received = {0};
      FibPerfServiceGrpc.newStub(channel)
          .profileSerial(
              request,
              new ClientResponseObserver<ProfileSerialRequest, ProfileSerialResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<ProfileSerialRequest> call) {
                  call.disableAutoRequestWithInitial(10); // then never again
                }

                @Override
                public void onNext(ProfileSerialResponse value) {
                  received[0]++;
                }

                @Override
                public void onError(Throwable t) {
                  System.out.println("call ended: " + t);
                }

                @Override
                public void onCompleted() {
                  System.out.println("call completed");
                }
              });
      System.out.printf(
          Locale.ROOT, "java %s; stalled reader of a 1000-task ProfileSerial%n", Runtime.version());
      System.out.println("  t (s)   server CPU in the last 10 s   RSS (MiB)");
      long pid = server.pid();
      long lastCpu = server.cpuTime().toNanos();
      for (int t = 10; t <= seconds; t += 10) {
        Thread.sleep(10_000);
        long cpu = server.cpuTime().toNanos();
        System.out.printf(
            Locale.ROOT,
            "  %5d   %5.1f %% of a core               %6.1f%n",
            t,
            (cpu - lastCpu) / 1e9 / 10 * 100,
            rssMiB(pid));
        lastCpu = cpu;
      }
      System.out.println("  messages the reader took: " + received[0]);
      channel.shutdownNow();
    }
  }

  private static double rssMiB(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }
}
