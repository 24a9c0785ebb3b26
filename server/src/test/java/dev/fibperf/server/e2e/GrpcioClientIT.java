package dev.fibperf.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server against Python's grpcio, a client fibperf did not write: every WatchRuns ends
 * DEADLINE_EXCEEDED when its deadline passes (never CANCELLED, which grpcio reports when the server
 * resets the stream first), a peer call without the cluster secret is UNAUTHENTICATED, and garbage
 * is INVALID_ARGUMENT. CI sets {@code FIBPERF_REQUIRE_GRPCIO=1} (Debian's python3-grpcio), so a
 * missing grpcio fails instead of skipping.
 */
class GrpcioClientIT {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final int WATCHES = 100;

  private static boolean haveGrpcio() throws IOException, InterruptedException {
    if (!Files.isExecutable(PYTHON)) {
      return false;
    }
    Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import grpc").start();
    return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @Test
  void watchDeadlines_peerCallsWithoutTheSecret_andGarbage_endWithTheirStatus(@TempDir Path dir)
      throws Exception {
    boolean have = haveGrpcio();
    if (System.getenv("FIBPERF_REQUIRE_GRPCIO") != null) {
      assertTrue(have, "apt-get install python3-grpcio");
    }
    Assumptions.assumeTrue(have, "python3-grpcio not installed");
    Path script = dir.resolve("adversary.py");
    try (InputStream in = GrpcioClientIT.class.getResourceAsStream("/grpcio/adversary.py")) {
      Files.write(script, in.readAllBytes());
    }
    Path secret =
        Files.writeString(dir.resolve("secret"), "grpcio-it-cluster-secret-0123456789abcdef");
    long seed = Long.getLong("fibperf.seed", System.nanoTime());
    try (ServerProcess server =
        new ServerProcess(
            "--workers=1",
            "--no-profiling",
            // A cluster replica (its peer list is never used here), so PeerService is served.
            "--peers=127.0.0.1:1",
            "--insecure-plaintext-peers-on-loopback",
            "--cluster-secret-file=" + secret)) {
      Process client =
          new ProcessBuilder(
                  PYTHON.toString(),
                  script.toString(),
                  server.target(),
                  String.valueOf(WATCHES),
                  String.valueOf(seed))
              .redirectErrorStream(true)
              .start();
      String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(client.waitFor(5, TimeUnit.MINUTES));
      assertEquals(0, client.exitValue(), out);

      Map<String, Integer> counts = new TreeMap<>();
      out.lines()
          .map(l -> l.split(" "))
          .filter(f -> f.length == 3)
          .forEach(f -> counts.put(f[0] + " " + f[1], Integer.parseInt(f[2])));
      String context = "seed " + seed + ":\n" + out;
      assertEquals(
          Map.of(
              "garbage INVALID_ARGUMENT", 1,
              "peer UNAUTHENTICATED", 20,
              "watch DEADLINE_EXCEEDED", WATCHES),
          counts,
          context);
      assertTrue(
          server.log.stream().noneMatch(l -> l.startsWith("SEVERE")),
          String.join("\n", server.log));
    }
  }
}
