package dev.fibperf.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server jar ({@code server/target/fibperf-server.jar}, from the server module or
 * another module of the build), started as its own process on a free port.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");

  public final Process process;
  public final int port;
  public final List<String> log = new CopyOnWriteArrayList<>();

  /** The run history's directory this class made for the server, or null when the test chose. */
  public final Path dataDir;

  public ServerProcess(String... flags) throws Exception {
    this(Path.of(System.getProperty("java.home")), flags);
  }

  /** Runs the jar on the JDK at {@code javaHome}, e.g. Temurin 25. */
  public ServerProcess(Path javaHome, String... flags) throws Exception {
    this(javaHome, java.util.Map.of(), flags);
  }

  /** Runs the jar with {@code env} added to its environment. */
  public ServerProcess(java.util.Map<String, String> env, String... flags) throws Exception {
    this(Path.of(System.getProperty("java.home")), env, flags);
  }

  private ServerProcess(Path javaHome, java.util.Map<String, String> env, String... flags)
      throws Exception {
    Path jar = jar();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " missing: run mvn package first");
    }
    List<String> command = new ArrayList<>();
    command.add(javaHome.resolve("bin").resolve("java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.add("--port=0");
    // Each server its own run history unless the test names one: tests never share, or leave
    // behind, a history in the user's home.
    if (List.of(flags).stream()
        .noneMatch(f -> f.startsWith("--data-dir") || f.startsWith("--database"))) {
      dataDir = Files.createTempDirectory("fibperf-data");
      command.add("--data-dir=" + dataDir);
    } else {
      dataDir = null;
    }
    command.addAll(List.of(flags));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    process = builder.start();
    CompletableFuture<Integer> boundPort = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  log.add(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    boundPort.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException ignored) {
                // The process ended.
              }
              boundPort.completeExceptionally(new IllegalStateException("server exited: " + log));
            },
            "server-log");
    reader.setDaemon(true);
    reader.start();
    // A liveness bound, not a speed one: a JVM starting on a loaded two-core box (load 20) took
    // over 30 s to listen.
    port = boundPort.get(2, TimeUnit.MINUTES);
  }

  /** The shaded jar: this module's own, or the server module's seen from a sibling module. */
  public static Path jar() {
    Path here = Path.of("target", "fibperf-server.jar");
    return Files.exists(here) ? here : Path.of("..", "..", "server").resolve(here);
  }

  public String target() {
    return "127.0.0.1:" + port;
  }

  /**
   * Sends SIGTERM. Through the process handle: {@code Process.destroy()} would also close our end
   * of its output, and we want to read what it says while it drains.
   */
  public void sigterm() {
    process.toHandle().destroy();
  }

  /** Sends SIGTERM and returns the exit code. */
  public int terminate(long timeoutSeconds) throws InterruptedException {
    sigterm();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new AssertionError("server did not exit after SIGTERM; log: " + log);
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    if (dataDir != null) {
      try (var files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp directory left behind
      }
    }
  }
}
