package dev.fibperf.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.client.Comparison;
import dev.fibperf.client.EventStream;
import dev.fibperf.client.FibEvent;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfSettings;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.ServingStatus;
import dev.fibperf.client.TaskFinished;
import dev.fibperf.client.Workload;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An app that added the SDK to its own build, on its own gRPC and protobuf versions, calling a real
 * fibperf server (the packaged jar, in its own JVM) over a socket.
 */
class SdkConsumerTest {
  private static Process server;
  private static FibPerfClient client;

  @BeforeAll
  static void startServer() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("fibperf.server.jar"),
                "--port",
                String.valueOf(port),
                "--workers",
                "2")
            .inheritIO()
            .start();
    client =
        FibPerfClient.create(
            FibPerfSettings.newBuilder("127.0.0.1:" + port)
                .defaultDeadline(Duration.ofMinutes(2))
                .build());
    for (int i = 0; i < 300; i++) {
      try {
        if (client.health() == ServingStatus.SERVING) {
          return;
        }
      } catch (RuntimeException starting) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IOException("server on port " + port + " did not start");
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.destroy();
      server.waitFor();
    }
  }

  /** The app really runs on the versions its build pinned, not on the ones the SDK was built on. */
  @Test
  void runsOnTheAppsOwnGrpcAndProtobuf() {
    assertEquals(
        "grpc-api-" + System.getProperty("expected.grpc.version") + ".jar",
        jarOf(ManagedChannel.class));
    assertEquals(
        "protobuf-java-" + System.getProperty("expected.protobuf.version") + ".jar",
        jarOf(com.google.protobuf.Message.class));
  }

  @Test
  void serial_returnsExactValues() {
    RunSummary s = client.serial(Workload.of(20, 25, 30));

    List<BigInteger> values = new ArrayList<>();
    for (TaskFinished t : s.results()) {
      values.add(t.number());
    }
    assertEquals(
        List.of(BigInteger.valueOf(6765), BigInteger.valueOf(75025), BigInteger.valueOf(832040)),
        values);
  }

  @Test
  void parallelStream_deliversEachTaskThenTheSummary() {
    List<FibEvent> events = new ArrayList<>();
    try (EventStream stream = client.parallelStream(Workload.of(24, 25, 26, 27))) {
      stream.forEach(events::add);
    }
    assertEquals(4, events.stream().filter(e -> e instanceof TaskFinished).count());
    assertTrue(events.get(events.size() - 1) instanceof RunSummary, events.toString());
  }

  @Test
  void compare_reportsAVerdictAndBounds() {
    Comparison c = client.compare(Workload.of(27, 28, 29, 28));

    assertTrue(c.speedup() > 0);
    assertTrue(c.optimalMakespan().compareTo(c.lowerBound()) >= 0);
    assertTrue(c.verdict() != null);
  }

  private static String jarOf(Class<?> type) {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().getPath())
        .getFileName()
        .toString();
  }
}
