package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real server process bound to one loopback address (one worker, no profiling), started from the
 * test's classpath; counts the runs it has answered from its own run list.
 */
final class ReplicaProcess implements AutoCloseable {
  final Process process;
  final FibPerfClient direct;
  final CompletableFuture<Void> listening = new CompletableFuture<>();
  volatile int runs;

  ReplicaProcess(String host, int port, String... extraArgs) throws Exception {
    this(host, port, null, extraArgs);
  }

  /**
   * @param trusted the CA certificate of a replica serving TLS (its {@code --tls-cert-chain} among
   *     {@code extraArgs}), or null for plaintext
   */
  ReplicaProcess(String host, int port, Path trusted, String... extraArgs) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.fibperf.server.Main",
                "--bind",
                host,
                "--port",
                String.valueOf(port),
                "--workers",
                "1",
                "--no-profiling",
                "--recent-runs",
                "10000", // the run list is how a test counts a replica's calls
                // In memory only: replicas of one test must not share (or find) a history in the
                // home directory; each counts its own runs.
                "--database",
                "none"));
    command.addAll(List.of(extraArgs));
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  if (line.contains("fibperf listening on port")) {
                    listening.complete(null);
                  }
                }
              } catch (java.io.IOException ignored) {
                // The process ended.
              }
              listening.completeExceptionally(new IllegalStateException(host + " exited"));
            });
    reader.setDaemon(true);
    reader.start();
    listening.get(60, TimeUnit.SECONDS);
    FibPerfSettings.Builder settings =
        FibPerfSettings.newBuilder(host + ":" + port).defaultDeadline(Duration.ofSeconds(30));
    direct = FibPerfClient.create((trusted == null ? settings : settings.tls(trusted)).build());
  }

  /** Runs this replica has finished, from its own run list (read while it is up). */
  int runs() {
    if (process.isAlive()) {
      var list = direct.listRuns(dev.fibperf.client.RunQuery.all().pageSize(1000));
      runs = list.recent().size() + list.inFlight().size();
    }
    return runs;
  }

  void awaitRuns(int n) {
    assertTrue(runs() >= n);
  }

  @Override
  public void close() throws Exception {
    direct.close();
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
