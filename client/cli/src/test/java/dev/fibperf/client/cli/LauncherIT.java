package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code client/cli/bin/fibperf}, the start-up-tuned launcher: its first run writes the class-data
 * archive, later runs map it, and both do what {@code java -jar} does.
 */
class LauncherIT {
  @Test
  void firstRunWritesTheArchive_laterRunsUseIt_bothAnswer(@TempDir Path cache) throws Exception {
    FibServer server =
        new FibServer(
                Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()),
                ServerConfig.newBuilder().workers(1).build())
            .start();
    try {
      String target = "--target=127.0.0.1:" + server.port();
      String first = launch(cache, "health", target);
      List<Path> archives;
      try (var files = Files.list(cache)) {
        archives = files.filter(f -> f.toString().endsWith(".jsa")).toList();
      }
      String second = launch(cache, "health", target);

      assertEquals("SERVING", first.strip());
      assertEquals(1, archives.size(), "one archive for this jar and JVM: " + archives);
      assertTrue(Files.size(archives.get(0)) > 0);
      assertEquals("SERVING", second.strip(), "a run mapping the archive answers the same");
    } finally {
      server.stop();
    }
  }

  @Test
  void leanJar_hasNoServer_andItsDemoAsksForATarget() throws Exception {
    Path lean = Path.of("target", "fibperf-lean.jar");
    try (var jar = new java.util.jar.JarFile(lean.toFile())) {
      assertEquals(
          List.of(),
          jar.stream()
              .map(java.util.zip.ZipEntry::getName)
              .filter(n -> n.startsWith("dev/fibperf/server/") || n.startsWith("io/micrometer/"))
              .toList());
    }
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                lean.toString(),
                "demo")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);

    assertEquals(2, p.exitValue(), out);
    assertTrue(
        out.startsWith(
            "this is the lean CLI jar, without a server to embed: give --target HOST:PORT, or run"
                + " the demo from fibperf.jar"),
        out);
  }

  private static String launch(Path cache, String... args) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            new java.util.ArrayList<>(List.of(Path.of("bin", "fibperf").toString())));
    pb.command().addAll(List.of(args));
    pb.environment().put("FIBPERF_CDS_DIR", cache.toString());
    pb.environment()
        .put("FIBPERF_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
