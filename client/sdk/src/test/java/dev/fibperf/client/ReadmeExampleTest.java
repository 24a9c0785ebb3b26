package dev.fibperf.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's "Embedding the SDK" snippet, verbatim but for the target and the output stream. */
class ReadmeExampleTest {
  @Test
  void readmeSnippet_runsAgainstARealServer() throws Exception {
    FibServer server =
        new FibServer(
                Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()),
                ServerConfig.newBuilder().workers(2).build())
            .start();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
    try {
      snippet("127.0.0.1:" + server.port(), out, Workload.of(99));
    } finally {
      server.stop();
    }

    String printed = captured.toString(StandardCharsets.UTF_8);
    assertTrue(printed.matches("(?s)speedup \\d\\.\\d\\dx of \\d\\.\\d\\dx possible.*"), printed);
    assertTrue(printed.contains("36 = 14930352"), printed);
    assertTrue(printed.contains("FibKernels.naive(int)"), printed);
    assertTrue(printed.contains("INVALID_ARGUMENT: nums[0]=99 exceeds max n 50"), printed);
  }

  private static void snippet(String target, PrintStream out, Workload bad) {
    try (FibPerfClient client =
        FibPerfClient.create(
            FibPerfSettings.newBuilder(target).defaultDeadline(Duration.ofSeconds(30)).build())) {
      // Blocking: the final result.
      Comparison c = client.compare(Workload.of(38, 39, 40, 39));
      out.printf(
          "speedup %.2fx of %.2fx possible, %s%n", c.speedup(), c.idealSpeedup(), c.verdict());

      // Streaming: every event as it arrives; closing the stream cancels the call on the server.
      try (EventStream events = client.parallelStream(Workload.DEFAULT)) {
        for (FibEvent e : events) {
          if (e instanceof TaskFinished f) out.println(f.n() + " = " + f.value());
        }
      }

      // Async: cancelling the future cancels the call.
      client
          .profileSerialAsync(Workload.DEFAULT, ProfileOptions.DEFAULT)
          .thenAccept(p -> out.println(p.profile().self().get(0).method()))
          .join();

      client.serial(bad);
    } catch (FibPerfException.InvalidRequestException e) {
      out.println(e.getMessage()); // INVALID_ARGUMENT: nums[0]=99 exceeds max n 50 ...
    }
  }
}
