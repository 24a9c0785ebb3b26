package dev.fibperf.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.testing.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a grpcurl user does, with {@code buf curl} (a client that is not grpc-java) through server
 * reflection against the packaged jar. CI sets {@code FIBPERF_REQUIRE_BUF=1}, so a missing {@code
 * buf} fails there instead of skipping.
 */
class BufCurlIT {
  private static ServerProcess server;

  record Result(int exit, String out) {}

  @BeforeAll
  static void start() throws Exception {
    boolean haveBuf = run(List.of("buf", "--version")).exit() == 0;
    if (System.getenv("FIBPERF_REQUIRE_BUF") != null) {
      assertTrue(haveBuf, "buf is not on PATH: npm install -g @bufbuild/buf");
    }
    Assumptions.assumeTrue(haveBuf, "buf not installed");
    server = new ServerProcess();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void listServices_throughReflection() throws Exception {
    Result r =
        run(
            List.of(
                "buf",
                "curl",
                "--protocol",
                "grpc",
                "--http2-prior-knowledge",
                "--list-services",
                base()));

    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("fibperf.v1.FibPerfService"), r.out());
    assertTrue(r.out().contains("grpc.health.v1.Health"), r.out());
  }

  @Test
  void allFourRpcs_streamEventsThenTheirFinalMessage() throws Exception {
    Result serial = call("Serial", "{\"nums\":[30,31]}");
    Result parallel = call("Parallel", "{\"nums\":[30,31],\"parallelism\":2}");
    Result profile = call("ProfileSerial", "{\"nums\":[36,36]}");
    Result compare = call("Compare", "{}");

    assertEquals(0, serial.exit(), serial.out());
    assertTrue(serial.out().contains("\"taskStarted\""), serial.out());
    assertTrue(serial.out().contains("\"value\": \"1346269\""), serial.out());
    assertTrue(serial.out().strip().endsWith("}"));
    assertTrue(serial.out().contains("\"summary\""));
    assertEquals(0, parallel.exit(), parallel.out());
    assertTrue(parallel.out().contains("\"workersUsed\": 2"), parallel.out());
    assertEquals(0, profile.exit(), profile.out());
    assertTrue(profile.out().contains("FibKernels.naive(int)"), profile.out());
    assertEquals(0, compare.exit(), compare.out());
    assertTrue(compare.out().contains("\"phase\": \"PHASE_PARALLEL\""), compare.out());
    assertTrue(
        compare.out().contains("\"optimalMakespan\"")
            && compare.out().contains("\"verdict\": \"VERDICT_"),
        compare.out());
    assertTrue(compare.out().contains("\"speedup\""), compare.out());
  }

  @Test
  void healthCheck_isServing() throws Exception {
    Result r =
        run(
            List.of(
                "buf",
                "curl",
                "--protocol",
                "grpc",
                "--http2-prior-knowledge",
                "-d",
                "{\"service\":\"fibperf.v1.FibPerfService\"}",
                base() + "/grpc.health.v1.Health/Check"));

    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("SERVING"), r.out());
  }

  @Test
  void badInput_exitsWithInvalidArgumentAndAPreciseMessage() throws Exception {
    Result r = call("Serial", "{\"nums\":[34,99]}");

    assertEquals(8 * 3, r.exit(), "buf exits 8 x the status code; " + r.out());
    assertTrue(
        r.out().contains("nums[1]=99 exceeds max n 50 for algorithm ALGORITHM_NAIVE"), r.out());
  }

  /**
   * During a SIGTERM drain a new buf curl call is told UNAVAILABLE by the service (reflection still
   * answers), not "failed to find service" as when the port closed at once.
   */
  @Test
  void duringDrain_aNewCallGetsUnavailable() throws Exception {
    try (ServerProcess draining = new ServerProcess("--shutdown-grace=60s", "--no-profiling")) {
      io.grpc.ManagedChannel channel =
          io.grpc.Grpc.newChannelBuilder(
                  draining.target(), io.grpc.InsecureChannelCredentials.create())
              .build();
      java.util.Iterator<dev.fibperf.proto.v1.SerialResponse> inFlight =
          dev.fibperf.proto.v1.FibPerfServiceGrpc.newBlockingStub(channel)
              .serial(dev.fibperf.proto.v1.SerialRequest.newBuilder().addNums(47).build());
      assertTrue(inFlight.next().hasTaskStarted()); // a run holds the drain open
      draining.sigterm();
      ServerJarIT.awaitLog(draining, "draining");

      Result r = call(draining, "Serial", "{\"nums\":[20]}");

      assertEquals(8 * 14, r.exit(), "buf exits 8 x UNAVAILABLE (14); " + r.out());
      assertTrue(r.out().contains("shutting down"), r.out());
      channel.shutdownNow(); // the caller leaves: its run is cancelled and the drain ends
      assertEquals(0, draining.terminate(30), draining.log.toString());
    }
  }

  private static String base() {
    return "http://" + server.target();
  }

  private static Result call(String method, String json) throws Exception {
    return call(server, method, json);
  }

  private static Result call(ServerProcess on, String method, String json) throws Exception {
    return run(
        List.of(
            "buf",
            "curl",
            "--protocol",
            "grpc",
            "--http2-prior-knowledge",
            "-d",
            json,
            "http://" + on.target() + "/fibperf.v1.FibPerfService/" + method));
  }

  private static Result run(List<String> command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    return new Result(p.exitValue(), out);
  }
}
