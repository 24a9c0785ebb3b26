package dev.fibperf.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import dev.fibperf.proto.v1.ArtifactChunk;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.HotMethod;
import dev.fibperf.proto.v1.ProfileOptions;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import dev.fibperf.proto.v1.ProfilingEngine;
import dev.fibperf.server.testing.ServerProcess;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On JDK 25 (which has {@code jfr view hot-methods}; 17 does not), the server runs, and its profile
 * names the same top method with the same share as the JDK's own tool on the same recording. {@code
 * FIBPERF_JDK25} overrides where Temurin 25 lives; CI sets {@code FIBPERF_REQUIRE_JDK25}.
 */
class Jdk25HotMethodsIT {
  private static final Path DEFAULT_JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
  private static final Pattern ROW = Pattern.compile("^(\\S+\\(.*\\))\\s+(\\d+)\\s+([\\d.]+)%$");

  @Test
  void profileAgreesWithJfrViewHotMethods_onJdk25(@TempDir Path dir) throws Exception {
    String override = System.getenv("FIBPERF_JDK25");
    Path jdk = override == null ? DEFAULT_JDK25 : Path.of(override);
    boolean present = Files.isExecutable(jdk.resolve("bin").resolve("jfr"));
    if (System.getenv("FIBPERF_REQUIRE_JDK25") != null) {
      assertTrue(present, "no JDK 25 at " + jdk);
    }
    Assumptions.assumeTrue(present, "no JDK 25 at " + jdk);

    try (ServerProcess server = new ServerProcess(jdk, "--allow-raw-jfr")) {
      ManagedChannel channel =
          Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
      // Warm-up: the server's first calls load and generate classes on other threads, which a
      // JVM-wide view would count. Not measured.
      ServerJarIT.drain(
          FibPerfServiceGrpc.newBlockingStub(channel)
              .profileSerial(ProfileSerialRequest.newBuilder().addNums(30).build()));
      for (ProfilingEngine engine :
          List.of(
              ProfilingEngine.PROFILING_ENGINE_JFR,
              ProfilingEngine.PROFILING_ENGINE_ASYNC_PROFILER)) {
        List<ProfileSerialResponse> events =
            ServerJarIT.drain(
                FibPerfServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(2, TimeUnit.MINUTES)
                    .profileSerial(
                        ProfileSerialRequest.newBuilder()
                            .addAllNums(List.of(38, 38, 38, 38, 38, 38))
                            .setOptions(
                                ProfileOptions.newBuilder()
                                    .setEngine(engine)
                                    .setSnapshotInterval(
                                        com.google.protobuf.Duration.newBuilder().setSeconds(3600))
                                    .addArtifacts(ArtifactChunk.Format.FORMAT_JFR))
                            .build()));
        dev.fibperf.proto.v1.Profile profile = ServerJarIT.last(events).getSummary().getProfile();
        HotMethod ours = profile.getSelf(0);
        Path recording = dir.resolve(engine + ".jfr");
        Files.write(
            recording,
            events.stream()
                .filter(ProfileSerialResponse::hasArtifact)
                .map(e -> e.getArtifact().getData())
                .reduce(ByteString.EMPTY, ByteString::concat)
                .toByteArray());
        String view = hotMethods(jdk, recording);
        Matcher top = firstRow(view);
        assertEquals(ours.getMethod(), top.group(1), view);
        if (engine == ProfilingEngine.PROFILING_ENGINE_JFR) {
          assertEquals("jfr", profile.getEngine());
          // The raw recording is the whole JVM's (`jfr scrub --include-threads` drops execution
          // samples, whose thread is not the event thread); with snapshots off, the worker is the
          // only busy Java thread, so the JVM-wide view and the call's own should agree.
          assertEquals(Double.parseDouble(top.group(3)), ours.getPercent(), 3.0, view);
        } else {
          assertTrue(profile.getEngine().startsWith("async-profiler "), profile.toString());
          // async-profiler samples native threads too (the JIT compilers), so the JVM-wide
          // shares differ; but only the worker runs the kernel: its counts must agree. One
          // difference is by design: a worker sample whose top frames are native (the JVM's own
          // code, the kernel's) counts, in our self view, for the Java method under them, where
          // the view lists it under the native frame. So ours lies between the view's count for
          // the kernel and that plus its native rows (on a loaded machine, once 41 samples).
          long theirs = Long.parseLong(top.group(2));
          long tolerance = Math.max(3, Math.round(theirs * 0.02));
          long nativeTop = nativeRowSamples(view);
          assertTrue(
              ours.getSamples() >= theirs - tolerance
                  && ours.getSamples() <= theirs + nativeTop + tolerance,
              "ours "
                  + ours.getSamples()
                  + ", the view's "
                  + theirs
                  + " plus up to "
                  + nativeTop
                  + " native-topped:\n"
                  + view);
        }
      }
      channel.shutdownNow();
    }
  }

  /**
   * {@code jfr view hot-methods}, or where that view itself fails on a recording (JDK 25's view
   * throws "unexpected internal error, Range [1, -1) out of bounds" on some native frame names that
   * async-profiler writes; seen once on a loaded machine), the same table computed from the JDK's
   * own parser: the top frame of every {@code jdk.ExecutionSample}, counted, from {@code jfr print
   * --stack-depth 1 --json}. Either way the oracle is the JDK's tool, not fibperf's code.
   */
  private static String hotMethods(Path jdk, Path recording) throws Exception {
    Jfr view = jfrRun(jdk, "view", "--width", "200", "hot-methods", recording);
    if (view.exit() == 0) {
      return view.out();
    }
    assertTrue(view.out().contains("unexpected internal error"), view.out());
    Jfr print =
        jfrRun(
            jdk,
            "print",
            "--stack-depth",
            "1",
            "--json",
            "--events",
            "jdk.ExecutionSample",
            recording);
    assertEquals(0, print.exit(), print.out());
    Map<String, Long> counts = new HashMap<>();
    JsonArray events =
        JsonParser.parseString(print.out())
            .getAsJsonObject()
            .getAsJsonObject("recording")
            .getAsJsonArray("events");
    for (JsonElement e : events) {
      JsonArray frames =
          e.getAsJsonObject()
              .getAsJsonObject("values")
              .getAsJsonObject("stackTrace")
              .getAsJsonArray("frames");
      if (frames.isEmpty()) {
        continue;
      }
      JsonObject method = frames.get(0).getAsJsonObject().getAsJsonObject("method");
      String name =
          // The JSON has the class's internal name (dev/fibperf/...): the view prints dots.
          method.getAsJsonObject("type").get("name").getAsString().replace('/', '.')
              + "."
              + method.get("name").getAsString()
              + parameters(method.get("descriptor").getAsString());
      counts.merge(name, 1L, Long::sum);
    }
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder table = new StringBuilder("(jfr view failed: " + view.out().strip() + ")\n");
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            c ->
                table.append(
                    String.format(
                        Locale.ROOT,
                        "%s %d %.2f%%%n",
                        c.getKey(),
                        c.getValue(),
                        100.0 * c.getValue() / total)));
    return table.toString();
  }

  /**
   * A JVM descriptor's parameters as {@code jfr view} prints them: {@code (I)J} is {@code (int)}.
   */
  static String parameters(String descriptor) {
    List<String> names = new ArrayList<>();
    String params = descriptor.substring(1, Math.max(1, descriptor.indexOf(')')));
    for (int i = 0; i < params.length(); i++) {
      int dims = 0;
      while (params.charAt(i) == '[') {
        dims++;
        i++;
      }
      String type;
      char c = params.charAt(i);
      if (c == 'L') {
        int end = params.indexOf(';', i);
        String full = params.substring(i + 1, end);
        type = full.substring(full.lastIndexOf('/') + 1);
        i = end;
      } else {
        type =
            switch (c) {
              case 'I' -> "int";
              case 'J' -> "long";
              case 'Z' -> "boolean";
              case 'B' -> "byte";
              case 'C' -> "char";
              case 'S' -> "short";
              case 'F' -> "float";
              case 'D' -> "double";
              default -> String.valueOf(c);
            };
      }
      names.add(type + "[]".repeat(dims));
    }
    return "(" + String.join(", ", names) + ")";
  }

  private record Jfr(int exit, String out) {}

  private static Jfr jfrRun(Path jdk, Object... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(jdk.resolve("bin").resolve("jfr").toString());
    for (Object a : args) {
      command.add(a.toString());
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Jfr(p.waitFor(), out);
  }

  /** Samples of the view's rows that are not Java methods ({@code libjvm.so.X()}, {@code x(k)}). */
  private static long nativeRowSamples(String view) {
    long sum = 0;
    for (String line : view.lines().toList()) {
      Matcher m = ROW.matcher(line.strip());
      if (m.matches() && (m.group(1).contains(".so") || m.group(1).endsWith("(k)"))) {
        sum += Long.parseLong(m.group(2));
      }
    }
    return sum;
  }

  /**
   * The view's first Java method. async-profiler also samples the JVM's own native threads (the
   * JIT, class loading), which the JVM-wide view ranks beside the worker: on a loaded machine
   * {@code libjvm.so.InstanceKlass::find_method_index()} once topped it with 53 %. Only the worker
   * runs Java code here, so the first Java row is what the call's own profile must name.
   */
  private static Matcher firstRow(String view) {
    for (String line : view.lines().toList()) {
      Matcher m = ROW.matcher(line.strip());
      if (m.matches() && !m.group(1).contains(".so") && !m.group(1).endsWith("(k)")) {
        return m;
      }
    }
    throw new AssertionError("no method rows in:\n" + view);
  }
}
