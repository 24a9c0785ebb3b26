package dev.fibperf.server.e2e;

import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.PoolKind;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import dev.fibperf.server.testing.ShippedDependencies;
import dev.fibperf.server.testing.ShippedSurfaces;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image Jib writes (target/fibperf-server-image.tar), as a container runtime would use it: its
 * layers unpacked in order into a root file system, and its entrypoint run there, chrooted, as its
 * user, with its environment, in a mount namespace of its own with /proc mounted. No Docker engine
 * runs here; this is what one would do with the image, short of network and PID namespaces.
 */
class ContainerImageIT {
  private static final Path IMAGE = Path.of("target", "fibperf-server-image.tar");
  private static final Path MANIFESTS = Path.of("..", "deploy", "k8s", "fibperf.yaml");

  @TempDir static Path work;
  private static JsonObject manifest;
  private static JsonObject config;
  private static Path root;

  @BeforeAll
  static void unpack() throws Exception {
    assertTrue(Files.isRegularFile(IMAGE), "mvn package writes " + IMAGE + " (unless -Djib.skip)");
    Path image = Files.createDirectory(work.resolve("image"));
    run(List.of("tar", "-xf", IMAGE.toString(), "-C", image.toString()));
    manifest =
        JsonParser.parseString(read(image.resolve("manifest.json")))
            .getAsJsonArray()
            .get(0)
            .getAsJsonObject();
    config =
        JsonParser.parseString(read(image.resolve(manifest.get("Config").getAsString())))
            .getAsJsonObject()
            .getAsJsonObject("config");
    root = Files.createDirectory(work.resolve("rootfs"));
    for (JsonElement layer : manifest.getAsJsonArray("Layers")) {
      run(
          List.of(
              "tar", "-xzf", image.resolve(layer.getAsString()).toString(), "-C", root.toString()));
    }
  }

  @Test
  void imageIsSelfContained_nonRoot_andMatchesTheKubernetesManifest() throws IOException {
    String yaml = read(MANIFESTS);

    assertTrue(Files.isExecutable(root.resolve("opt/java/bin/java")), "a Java runtime of its own");
    assertTrue(
        Files.isExecutable(root.resolve("opt/java/lib/jspawnhelper")), "for worker processes");
    assertTrue(Files.isRegularFile(root.resolve("lib64/ld-linux-x86-64.so.2")), "its own loader");
    assertTrue(Files.isRegularFile(root.resolve("app/jib-classpath-file")));
    assertFalse(Files.exists(root.resolve("usr/lib/jvm")), "nothing of the build machine's JDK");
    assertEquals("65532:65532", config.get("User").getAsString());
    assertEquals("/opt/java/bin/java", config.getAsJsonArray("Entrypoint").get(0).getAsString());
    String tag = manifest.getAsJsonArray("RepoTags").get(0).getAsString();
    assertTrue(yaml.contains("image: " + tag), "the Deployment runs the image built: " + tag);
    for (String port : config.getAsJsonObject("ExposedPorts").keySet()) {
      String number = port.replace("/tcp", "");
      assertTrue(yaml.contains("containerPort: " + number), "the Deployment names port " + port);
    }
  }

  /** Jib takes the runtime class path; this proves nothing of it was left out of the image. */
  @Test
  void imageClasspath_holdsEveryRuntimeDependency() throws IOException {
    List<String> classpath =
        List.of(read(root.resolve("app/jib-classpath-file")).trim().split(":"));
    List<String> missing = new ArrayList<>();
    for (Path jar : ShippedDependencies.runtimeJars()) {
      String name = jar.getFileName().toString();
      boolean listed = classpath.stream().anyMatch(e -> e.endsWith("/" + name));
      boolean present = Files.isRegularFile(root.resolve("app/libs").resolve(name));
      if (!listed || !present) {
        missing.add(
            name + (listed ? " (listed, but not in /app/libs)" : " (not on the classpath)"));
      }
    }
    assertEquals(List.of(), missing, "runtime dependencies missing from the image");
  }

  @Test
  void entrypoint_servesHealth_profilesWithJfr_andStartsWorkerProcesses() throws Exception {
    boolean canRun =
        "root".equals(System.getProperty("user.name"))
            && Files.isExecutable(Path.of("/usr/bin/unshare"))
            && Files.isExecutable(Path.of("/usr/sbin/chroot"));
    if (System.getenv("FIBPERF_REQUIRE_CONTAINER") != null) {
      assertTrue(canRun, "running the image needs root, unshare and chroot");
    }
    Assumptions.assumeTrue(canRun, "not root: cannot chroot into the image");
    int port = freePort();
    int httpPort = freePort();
    Files.createDirectories(root.resolve("proc"));
    List<String> entrypoint = new ArrayList<>();
    for (JsonElement e : config.getAsJsonArray("Entrypoint")) {
      entrypoint.add(e.getAsString());
    }
    String user = config.get("User").getAsString();
    String script =
        "/bin/mount -t proc proc \"$0/proc\" && cd \"$0\" && exec /usr/sbin/chroot --userspec="
            + user
            + " \"$0\" \"$@\"";
    List<String> command =
        new ArrayList<>(
            List.of("/usr/bin/unshare", "-m", "/bin/sh", "-c", script, root.toString()));
    command.addAll(entrypoint);
    command.addAll(List.of("--port=" + port, "--http-port=" + httpPort));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("server.log").toFile());
    pb.environment().clear();
    for (JsonElement e : config.getAsJsonArray("Env")) {
      String[] kv = e.getAsString().split("=", 2);
      pb.environment().put(kv[0], kv[1]);
    }
    Process server = pb.start();
    ManagedChannel channel =
        Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create()).build();
    try {
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
      await("the server in the image to serve")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                assertTrue(server.isAlive(), () -> "the server exited: " + log());
                try {
                  return health
                          .withDeadlineAfter(2, TimeUnit.SECONDS)
                          .check(HealthCheckRequest.getDefaultInstance())
                          .getStatus()
                      == ServingStatus.SERVING;
                } catch (RuntimeException notYet) {
                  return false;
                }
              });
      // Every RPC reflection lists (buf curl) and every HTTP path, as from the packaged jar.
      if (ShippedSurfaces.haveBuf()) {
        new ShippedSurfaces("127.0.0.1:" + port, httpPort)
            .exerciseAll()
            .assertEverySurfaceCovered();
      }
      FibPerfServiceGrpc.FibPerfServiceBlockingStub stub =
          FibPerfServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);

      ProfileSerialResponse profile =
          last(
              // Long enough for samples on a loaded machine (fib 30 and 31 once got none).
              stub.profileSerial(
                  ProfileSerialRequest.newBuilder().addNums(33).addNums(34).build()));
      ParallelResponse parallel =
          last(
              stub.parallel(
                  ParallelRequest.newBuilder()
                      .addNums(30)
                      .addNums(31)
                      .setPool(PoolKind.POOL_KIND_PROCESSES)
                      .build()));

      assertTrue(
          profile.getSummary().getProfile().getSelf(0).getMethod().contains("FibKernels.naive"),
          profile.getSummary().getProfile().toString());
      // The default engine runs in the image: what its library links against is in it too.
      dev.fibperf.proto.v1.Profile p = profile.getSummary().getProfile();
      assertTrue(p.getEngine().startsWith("async-profiler "), p.toString());
      assertEquals("1346269", parallel.getSummary().getResults(1).getValue());
      assertEquals(PoolKind.POOL_KIND_PROCESSES, parallel.getSummary().getPool());
    } finally {
      channel.shutdownNow();
      server.destroy(); // SIGTERM to the JVM: unshare, sh and chroot each exec the next
      assertTrue(server.waitFor(60, TimeUnit.SECONDS), ContainerImageIT::log);
    }
    assertEquals(0, server.exitValue(), log());
  }

  private static String log() {
    try {
      return read(work.resolve("server.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static <T> T last(Iterator<T> stream) {
    T last = null;
    while (stream.hasNext()) {
      last = stream.next();
    }
    return last;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), command + ": " + out);
    assertEquals(0, p.exitValue(), command + ": " + out);
  }
}
