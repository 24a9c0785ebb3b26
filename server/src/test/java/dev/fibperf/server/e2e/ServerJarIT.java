package dev.fibperf.server.e2e;

import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.server.testing.ServerProcess;
import dev.fibperf.server.testing.ShippedDependencies;
import dev.fibperf.server.testing.ShippedSurfaces;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The packaged jar, as users run it, on a real socket. */
class ServerJarIT {
  @Test
  void packagedJar_holdsEveryRuntimeDependencysClasses() throws Exception {
    List<String> missing =
        ShippedDependencies.missingFrom(
            java.nio.file.Path.of("target", "fibperf-server.jar"),
            ShippedDependencies.runtimeJars());
    assertEquals(List.of(), missing, "runtime dependencies missing from the shaded jar");
  }

  /**
   * Every RPC reflection lists, through buf curl, and every HTTP path, from the jar users run (the
   * dashboard's JSON died here once while every in-process test passed).
   */
  @Test
  void packagedJar_servesEveryRpcAndEveryHttpPath() throws Exception {
    Assumptions.assumeTrue(ShippedSurfaces.haveBuf(), "buf not installed");
    int httpPort = freePort();
    try (ServerProcess server = new ServerProcess("--http-port=" + httpPort)) {
      new ShippedSurfaces(server.target(), httpPort).exerciseAll().assertEverySurfaceCovered();
      assertTrue(
          server.log.stream().noneMatch(l -> l.contains("SEVERE") || l.contains("Exception")),
          "a clean log: " + server.log);
    }
  }

  static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void packagedJar_servesAllFourRpcsAndHealth_overTcp() throws Exception {
    try (ServerProcess server = new ServerProcess()) {
      ManagedChannel channel =
          Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
      FibPerfServiceGrpc.FibPerfServiceBlockingStub stub =
          FibPerfServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);

      List<SerialResponse> serial = drain(stub.serial(SerialRequest.getDefaultInstance()));
      List<ParallelResponse> parallel = drain(stub.parallel(ParallelRequest.getDefaultInstance()));
      List<ProfileSerialResponse> profile =
          drain(stub.profileSerial(ProfileSerialRequest.getDefaultInstance()));
      List<CompareResponse> compare = drain(stub.compare(CompareRequest.getDefaultInstance()));

      assertEquals("14930352", last(serial).getSummary().getResults(2).getValue());
      assertEquals(2, last(parallel).getSummary().getWorkersUsed());
      assertTrue(
          last(profile)
              .getSummary()
              .getProfile()
              .getSelf(0)
              .getMethod()
              .contains("FibKernels.naive"));
      dev.fibperf.proto.v1.Comparison comparison = last(compare).getComparison();
      assertEquals(4, comparison.getParallel().getResultsCount());
      assertEquals("14930352", comparison.getParallel().getResults(2).getValue());
      assertEquals(
          ServingStatus.SERVING,
          HealthGrpc.newBlockingStub(channel)
              .check(
                  HealthCheckRequest.newBuilder().setService("fibperf.v1.FibPerfService").build())
              .getStatus());
      StatusRuntimeException bad =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
              () -> drain(stub.serial(SerialRequest.newBuilder().addNums(99).build())));
      assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
      awaitLog(server, "rpc=Compare tasks=4 status=OK"); // one log line per call
      channel.shutdownNow();
    }
  }

  /**
   * Where async-profiler's library cannot be put in place (here: its extraction directory is not
   * writable), profiles are JFR's and say why.
   */
  @Test
  void withoutAsyncProfilersLibrary_profilesFallBackToJfr_andSaySo() throws Exception {
    try (ServerProcess server =
        new ServerProcess(
            java.util.Map.of("JAVA_TOOL_OPTIONS", "-Done.profiler.extractPath=/proc/fibperf"))) {
      ManagedChannel channel =
          Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
      try {
        dev.fibperf.proto.v1.Profile profile =
            last(drain(
                    FibPerfServiceGrpc.newBlockingStub(channel)
                        .profileSerial(
                            // Long enough that the kernel outweighs the first call's class
                            // initialisation in the samples, even on a starved core (fib(32)
                            // under load once gave 6 samples, 3 of them Timestamps.<clinit>).
                            dev.fibperf.proto.v1.ProfileSerialRequest.newBuilder()
                                .addNums(35)
                                .addNums(35)
                                .build())))
                .getSummary()
                .getProfile();

        assertEquals("jfr", profile.getEngine());
        assertTrue(
            profile.getEngineNote().startsWith("async-profiler's native library did not load: "),
            profile.getEngineNote());
        assertTrue(profile.getEngineNote().endsWith(": sampled by JFR"), profile.getEngineNote());
        assertTrue(profile.getSelf(0).getMethod().contains("FibKernels.naive"), profile.toString());
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void sigterm_letsInFlightRunsFinish_refusesNewCalls_andExitsZero() throws Exception {
    // Tests that do not profile run --no-profiling: no JFR warm-up competing for the two cores.
    try (ServerProcess server = new ServerProcess("--shutdown-grace=20s", "--no-profiling")) {
      ManagedChannel channel =
          Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
      Iterator<ParallelResponse> inFlight =
          FibPerfServiceGrpc.newBlockingStub(channel)
              .parallel(
                  ParallelRequest.newBuilder()
                      .addNums(42)
                      .addNums(42)
                      .setPool(dev.fibperf.proto.v1.PoolKind.POOL_KIND_PROCESSES)
                      .build());
      assertTrue(inFlight.next().hasTaskStarted());
      assertTrue(inFlight.next().hasTaskStarted()); // both workers are up and busy
      List<ProcessHandle> workers = server.process.toHandle().descendants().toList();

      server.sigterm();
      awaitLog(server, "draining");
      StatusRuntimeException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
              () ->
                  drain(
                      FibPerfServiceGrpc.newBlockingStub(channel)
                          .serial(SerialRequest.getDefaultInstance())));
      List<ParallelResponse> rest = drain(inFlight);
      int exit = server.terminate(30);

      assertTrue(last(rest).hasSummary(), "in-flight run finished: " + rest);
      assertEquals(2, last(rest).getSummary().getResultsCount());
      assertEquals(0, exit, "exit code; log: " + server.log);
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
      assertTrue(server.log.stream().anyMatch(l -> l.contains("draining")), server.log.toString());
      assertWorkersEnd(workers, "SIGTERM");
      channel.shutdownNow();
    }
  }

  /** SIGTERM is covered by the drain test above; without a drain the workers must notice. */
  @Test
  void workerProcesses_endWithTheServer_onSigkill() throws Exception {
    try (ServerProcess server = new ServerProcess("--no-profiling")) {
      ManagedChannel channel =
          Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
      drain(
          FibPerfServiceGrpc.newBlockingStub(channel)
              .parallel(
                  ParallelRequest.newBuilder()
                      .addNums(25)
                      .addNums(26)
                      .setPool(dev.fibperf.proto.v1.PoolKind.POOL_KIND_PROCESSES)
                      .build()));
      channel.shutdownNow();
      List<ProcessHandle> workers = server.process.toHandle().descendants().toList();
      server.process.destroyForcibly();
      assertWorkersEnd(workers, "SIGKILL");
    }
  }

  private static void assertWorkersEnd(List<ProcessHandle> workers, String signal) {
    assertEquals(2, workers.size(), "worker processes: " + workers);
    for (ProcessHandle worker : workers) {
      worker.onExit().orTimeout(10, TimeUnit.SECONDS).join();
      assertTrue(!worker.isAlive(), signal + " left " + worker.pid());
    }
  }

  @Test
  void tlsFlags_serveTls_andPlaintextClientsAreRefused(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    dev.fibperf.server.testing.SelfSignedCert tlsCert =
        dev.fibperf.server.testing.SelfSignedCert.create(dir);
    java.nio.file.Path cert = tlsCert.cert();
    java.nio.file.Path key = tlsCert.key();

    try (ServerProcess server =
        new ServerProcess(
            "--tls-cert-chain=" + cert, "--tls-private-key=" + key, "--no-profiling")) {
      ManagedChannel tls =
          Grpc.newChannelBuilder(
                  "localhost:" + server.port,
                  io.grpc.TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build())
              .build();
      ManagedChannel plaintext =
          Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();

      List<SerialResponse> events =
          drain(
              FibPerfServiceGrpc.newBlockingStub(tls)
                  .serial(SerialRequest.newBuilder().addNums(20).build()));
      StatusRuntimeException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
              () ->
                  drain(
                      FibPerfServiceGrpc.newBlockingStub(plaintext)
                          .withDeadlineAfter(5, TimeUnit.SECONDS)
                          .serial(SerialRequest.newBuilder().addNums(20).build())));

      assertEquals("6765", last(events).getSummary().getResults(0).getValue());
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
      tls.shutdownNow();
      plaintext.shutdownNow();
    }
  }

  static void awaitLog(ServerProcess server, String text) {
    await("'" + text + "' in the server's log")
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.log.stream().anyMatch(l -> l.contains(text)));
  }

  static <T> List<T> drain(Iterator<T> stream) {
    List<T> out = new ArrayList<>();
    stream.forEachRemaining(out::add);
    return out;
  }

  static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }
}
