package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fibperf.server.testing.ServerProcess;
import dev.fibperf.server.testing.ShippedSurfaces;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every subcommand of the CLI launcher ({@code client/cli/bin/fibperf}, as users run it) against
 * the packaged server jar, each reading a real figure from its output. The list is picocli's: a
 * subcommand added without a check here fails the test.
 */
class ShippedCliIT {
  private static final Path LAUNCHER = Path.of("bin", "fibperf");

  @TempDir Path cache;

  @Test
  void everySubcommand_worksFromTheLauncher_againstThePackagedServer() throws Exception {
    Set<String> covered = new TreeSet<>();
    Path examples;
    try (var jars = Files.list(Path.of("..", "..", "examples", "target"))) {
      examples =
          jars.filter(
                  f ->
                      f.getFileName()
                          .toString()
                          .matches("fibperf-examples-[^-]+(-SNAPSHOT)?\\.jar"))
              .findFirst()
              .orElseThrow();
    }
    try (ServerProcess server = new ServerProcess("--workers=2", "--kernels=" + examples)) {
      String target = "--target=" + server.target();

      String kernels = run(covered, "kernels", target);
      assertTrue(kernels.contains("pbkdf2-sha256") && kernels.contains("fib-naive"), kernels);
      assertTrue(
          run(covered, "serial", target, "--kernel=prime-count", "--nums=100").contains(" 25 "),
          "pi(100) = 25");

      assertTrue(run(covered, "serial", target, "--nums=20,21").contains("10946"));
      assertTrue(run(covered, "parallel", target, "--nums=22,23").contains("28657"));
      assertTrue(run(covered, "profile", target, "--nums=33,34").contains("FibKernels.naive"));
      String compare = run(covered, "compare", target, "--nums=28,29,30,29", "--json");
      JsonObject comparison =
          JsonParser.parseString(lastLine(compare)).getAsJsonObject().getAsJsonObject("comparison");
      String runId = comparison.get("runId").getAsString();
      assertEquals("832040", ShippedSurfaces.value(comparison.getAsJsonObject("parallel"), 2));

      String runs = run(covered, "runs", target, "--json");
      assertTrue(
          JsonParser.parseString(runs)
              .getAsJsonObject()
              .toString()
              .contains("\"runId\":\"" + runId + "\""),
          "runs --json prints the run list as JSON: " + runs);
      // From the run history: CSV of the runs and of one run's tasks, and a second Compare of
      // the same workload judged against the first.
      String csv = run(covered, "runs", target, "--csv");
      assertTrue(csv.startsWith("run_id,method,kernel,pool,"), csv);
      assertTrue(csv.contains("\n" + runId + ",RUN_METHOD_COMPARE,fib-naive,"), csv);
      String tasks = run(covered, "runs", target, "--tasks=" + runId, "--csv");
      assertEquals(
          9, tasks.strip().lines().count(), "a header and 4 tasks of each phase: " + tasks);
      String change =
          run(covered, "compare", target, "--nums=28,29,30,29", "--baseline=" + runId, "--json");
      JsonObject judged =
          JsonParser.parseString(lastLine(change)).getAsJsonObject().getAsJsonObject("change");
      assertEquals(runId, judged.get("baselineRunId").getAsString(), change);
      assertTrue(
          judged.getAsJsonObject("serialCost").get("verdict").getAsString().startsWith("CHANGE_"),
          change);
      String watch = run(covered, "watch", target, "--run-id=" + runId, "--json");
      assertTrue(lastLine(watch).contains("\"finished\""), watch);
      assertEquals("SERVING", run(covered, "health", target).strip());
      String bench =
          run(covered, "bench", target, "-n", "5", "--nums=15", "--label=first", "--json");
      JsonObject summary = JsonParser.parseString(lastLine(bench)).getAsJsonObject();
      assertEquals(5, summary.getAsJsonObject("statusCodes").get("OK").getAsInt(), bench);
      // A second bench judged against the first through the history: five runs a side.
      String again =
          run(
              covered,
              "bench",
              target,
              "-n",
              "5",
              "--nums=15",
              "--label=second",
              "--baseline-label=first",
              "--json");
      JsonObject benches =
          JsonParser.parseString(lastLine(again)).getAsJsonObject().getAsJsonObject("change");
      assertEquals(5, benches.get("runs").getAsInt(), again);
      assertEquals(5, benches.get("baselineRuns").getAsInt(), again);
      assertEquals(5, benches.getAsJsonObject("callWall").get("samples").getAsInt(), again);
      String demo = run(covered, "demo", target, "--nums=24,25,26,25");
      assertTrue(demo.contains("speedup"), demo);
      assertTrue(run(covered, "generate-completion").contains("complete -F"));
      assertTrue(run(covered, "help", "compare").startsWith("Usage: fibperf compare"));
    }

    Set<String> all = new TreeSet<>(FibPerfCli.commandLine().getSubcommands().keySet());
    all.removeAll(covered);
    assertEquals(Set.of(), all, "subcommands with no test from the launcher");
  }

  private String run(Set<String> covered, String... args) throws Exception {
    covered.add(args[0]);
    List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("FIBPERF_CDS_DIR", cache.toString());
    pb.environment()
        .put("FIBPERF_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
    assertEquals(0, p.exitValue(), String.join(" ", args) + ": " + out);
    return out;
  }

  private static String lastLine(String out) {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }
}
