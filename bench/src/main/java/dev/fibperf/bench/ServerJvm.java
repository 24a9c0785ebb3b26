package dev.fibperf.bench;

import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A server in its own JVM, from the benchmarks jar, on a free loopback port. */
final class ServerJvm implements AutoCloseable {
  private final Process process;
  private final int port;

  private ServerJvm(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Two workers unless {@code flags} say {@code --workers}. */
  static ServerJvm start(String... flags) throws IOException, InterruptedException {
    return startOn(freePort(), flags);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A server on {@code port} (e.g. one a peer list already names). */
  static ServerJvm startOn(int port, String... flags) throws IOException, InterruptedException {
    // e.g. -Dfibperf.bench.serverCpus=0 with the benchmark itself under `taskset -c 1`: the
    // server and its clients on cores of their own, as on two machines.
    return startPinned(System.getProperty("fibperf.bench.serverCpus"), port, flags);
  }

  /**
   * A server on {@code port} whose threads all run on {@code cpus} only ({@code taskset -c}, e.g.
   * "0" or "0-1"; null for anywhere): replicas with cores of their own on one machine.
   */
  static ServerJvm startPinned(String cpus, int port, String... flags)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (cpus != null) {
      command.addAll(List.of("taskset", "-c", cpus)); // it execs the JVM: same pid
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // e.g. -Dfibperf.bench.serverJvmArgs=-XX:StartFlightRecording=filename=server.jfr to see
    // where the server's time goes during a benchmark.
    String jvmArgs = System.getProperty("fibperf.bench.serverJvmArgs", "").trim();
    if (!jvmArgs.isEmpty()) {
      command.addAll(List.of(jvmArgs.split("\\s+")));
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.fibperf.server.Main",
            "--port",
            String.valueOf(port)));
    if (List.of(flags).stream().noneMatch(f -> f.startsWith("--workers"))) {
      command.addAll(List.of("--workers", "2"));
    }
    // A history of its own, as a deployed server has, not the user's ~/.fibperf.
    if (List.of(flags).stream()
        .noneMatch(f -> f.startsWith("--database") || f.startsWith("--data-dir"))) {
      command.addAll(
          List.of(
              "--data-dir", java.nio.file.Files.createTempDirectory("fibperf-bench").toString()));
    }
    command.addAll(List.of(flags));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    ServerJvm server = new ServerJvm(p, port);
    try (FibPerfClient probe = server.client()) {
      for (int i = 0; i < 200; i++) {
        try {
          if (probe.health() == dev.fibperf.client.ServingStatus.SERVING) {
            return server;
          }
        } catch (RuntimeException notYet) {
          // still starting
        }
        Thread.sleep(50);
      }
    }
    server.close();
    throw new IOException("server on port " + port + " did not start");
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** CPU time the server process has used so far, all its threads (from the OS). */
  Duration cpuTime() {
    return process.toHandle().info().totalCpuDuration().orElseThrow();
  }

  FibPerfClient client() {
    return FibPerfClient.create(
        FibPerfSettings.newBuilder("127.0.0.1:" + port)
            .defaultDeadline(Duration.ofMinutes(5))
            .build());
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A cluster secret in a file of its own, removed when the JVM exits. */
  static java.nio.file.Path clusterSecret() throws java.io.IOException {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("fibperf-cluster", ".secret");
    file.toFile().deleteOnExit();
    byte[] random = new byte[32];
    new java.security.SecureRandom().nextBytes(random);
    java.nio.file.Files.writeString(file, java.util.HexFormat.of().formatHex(random));
    return file;
  }
}
