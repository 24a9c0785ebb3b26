package dev.fibperf.server.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server of its own, from Debian's binaries, in a temporary directory on a free
 * port with trust authentication; stopped and removed on close. As root (CI), it runs as the {@code
 * postgres} user, since PostgreSQL refuses to run as root.
 */
public final class Postgres implements AutoCloseable {
  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

  private final Path dir;
  public final int port;

  private Postgres(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /**
   * Starts one, or skips the test when PostgreSQL is not installed (fails instead with {@code
   * FIBPERF_REQUIRE_POSTGRES=1}, as CI sets).
   */
  public static Postgres start() throws Exception {
    boolean present = Files.isExecutable(BIN.resolve("initdb"));
    if ("1".equals(System.getenv("FIBPERF_REQUIRE_POSTGRES"))) {
      if (!present) {
        throw new AssertionError("no PostgreSQL at " + BIN);
      }
    } else {
      Assumptions.assumeTrue(present, "no PostgreSQL at " + BIN);
    }
    Path dir = Files.createTempDirectory("fibperf-pg");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      run(List.of("chown", "postgres:postgres", dir.toString()), false);
    }
    Path data = dir.resolve("data");
    run(
        List.of(
            BIN.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "--auth=trust",
            "--username=fibperf",
            "--no-sync"),
        root);
    run(
        List.of(
            BIN.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            dir.resolve("log").toString(),
            "-o",
            "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
            "-w",
            "start"),
        root);
    return new Postgres(dir, port);
  }

  /** A JDBC URL of its {@code postgres} database. */
  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=fibperf";
  }

  private static void run(List<String> command, boolean asPostgres)
      throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException(full + " failed: " + out);
    }
  }

  /**
   * Stops every process of this PostgreSQL (SIGSTOP): connections stay open and queries go
   * unanswered, as with a database host that hangs.
   */
  public void pause() throws Exception {
    signal("-STOP");
  }

  /** Lets a {@link #pause paused} PostgreSQL go on (SIGCONT). */
  public void resume() throws Exception {
    signal("-CONT");
  }

  private void signal(String signal) throws Exception {
    long postmaster =
        Long.parseLong(
            Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).get(0).trim());
    List<String> kill = new ArrayList<>(List.of("kill", signal, Long.toString(postmaster)));
    ProcessHandle.of(postmaster)
        .orElseThrow()
        .descendants()
        .forEach(p -> kill.add(Long.toString(p.pid())));
    run(kill, false);
  }

  @Override
  public void close() throws Exception {
    try {
      run(
          List.of(
              BIN.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-m",
              "immediate",
              "-w",
              "stop"),
          "root".equals(System.getProperty("user.name")));
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
