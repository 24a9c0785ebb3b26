package dev.fibperf.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fibperf.proto.DurationText;
import dev.fibperf.server.Main;
import dev.fibperf.server.exec.cluster.PeerTargets;
import dev.fibperf.server.http.HttpEndpoints;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * deploy/k8s/fibperf.yaml against the Kubernetes JSON schemas (the kubernetes-models npm package,
 * offline), and against the server it runs: its arguments are flags the server accepts, and the
 * grace period, probes, ports and CPU follow from them.
 */
class KubernetesManifestsIT {
  private static final Path MANIFESTS = Path.of("..", "deploy", "k8s", "fibperf.yaml");
  private static final Path VALIDATOR = Path.of("..", "deploy", "k8s", "validate.cjs");
  private static Map<String, JsonObject> byKind;

  @BeforeAll
  static void validate() throws Exception {
    String nodeModules = output(List.of("npm", "root", "-g")).strip();
    boolean haveModels = Files.isDirectory(Path.of(nodeModules, "kubernetes-models"));
    if (System.getenv("FIBPERF_REQUIRE_KUBERNETES_MODELS") != null) {
      assertTrue(haveModels, "npm install -g kubernetes-models yaml");
    }
    Assumptions.assumeTrue(haveModels, "kubernetes-models not installed");
    ProcessBuilder node =
        new ProcessBuilder("node", VALIDATOR.toString(), MANIFESTS.toString())
            .redirectErrorStream(true);
    node.environment().put("NODE_PATH", nodeModules);
    Process p = node.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "schema validation failed: " + out);
    byKind = new HashMap<>();
    for (JsonElement e : JsonParser.parseString(out).getAsJsonArray()) {
      JsonObject o = e.getAsJsonObject();
      String name = o.getAsJsonObject("metadata").get("name").getAsString();
      // One of each kind, but for Services: the plain one, and the headless one for clients that
      // balance over the replicas themselves.
      byKind.put(
          name.endsWith("-headless")
              ? "headless " + o.get("kind").getAsString()
              : o.get("kind").getAsString(),
          o);
    }
  }

  @Test
  void everyKindIsThere() {
    assertEquals(
        List.of("Deployment", "PodDisruptionBudget", "Service", "headless Service"),
        byKind.keySet().stream().sorted().toList());
  }

  @Test
  void deployment_followsTheServersFlags() {
    JsonObject pod = byKind.get("Deployment").getAsJsonObject("spec").getAsJsonObject("template");
    JsonObject container =
        pod.getAsJsonObject("spec").getAsJsonArray("containers").get(0).getAsJsonObject();
    List<String> args = new ArrayList<>();
    container.getAsJsonArray("args").forEach(a -> args.add(a.getAsString()));
    new CommandLine(new Main()).parseArgs(args.toArray(String[]::new)); // throws on a bad flag
    Map<String, String> flags = new HashMap<>();
    for (String a : args) {
      String[] kv = a.split("=", 2);
      flags.put(kv[0], kv[1]);
    }

    Duration grace = DurationText.parse(flags.get("--shutdown-grace"));
    long period = pod.getAsJsonObject("spec").get("terminationGracePeriodSeconds").getAsLong();
    assertTrue(
        period >= grace.toSeconds() + 5 && period <= grace.toSeconds() + 30,
        "terminationGracePeriodSeconds " + period + " vs --shutdown-grace " + grace);

    JsonObject resources = container.getAsJsonObject("resources");
    String workers = flags.get("--workers");
    assertEquals(workers, resources.getAsJsonObject("requests").get("cpu").getAsString());
    assertEquals(workers, resources.getAsJsonObject("limits").get("cpu").getAsString());

    int grpcPort = Integer.parseInt(flags.get("--port"));
    int httpPort = Integer.parseInt(flags.get("--http-port"));
    Map<String, Integer> ports = new HashMap<>();
    for (JsonElement p : container.getAsJsonArray("ports")) {
      ports.put(
          p.getAsJsonObject().get("name").getAsString(),
          p.getAsJsonObject().get("containerPort").getAsInt());
    }
    assertEquals(Map.of("grpc", grpcPort, "http", httpPort), ports);
    // The replicas serve TLS (a cluster's peer calls need it), which Kubernetes' gRPC probes
    // cannot speak: readiness asks /healthz over HTTPS, liveness connects to the gRPC port.
    assertTrue(flags.containsKey("--tls-cert-chain") && flags.containsKey("--cluster-secret-file"));
    JsonObject ready = container.getAsJsonObject("readinessProbe").getAsJsonObject("httpGet");
    assertEquals("/healthz", ready.get("path").getAsString());
    assertTrue(HttpEndpoints.ROUTES.contains("/healthz"));
    assertEquals("http", ready.get("port").getAsString());
    assertEquals("HTTPS", ready.get("scheme").getAsString());
    JsonObject live = container.getAsJsonObject("livenessProbe").getAsJsonObject("tcpSocket");
    assertEquals("grpc", live.get("port").getAsString());
    // Each file a flag names is in a volume the container mounts.
    List<String> mounts = new ArrayList<>();
    container
        .getAsJsonArray("volumeMounts")
        .forEach(m -> mounts.add(m.getAsJsonObject().get("mountPath").getAsString() + "/"));
    for (String flag : List.of("--tls-cert-chain", "--tls-private-key", "--cluster-secret-file")) {
      assertTrue(
          mounts.stream().anyMatch(flags.get(flag)::startsWith),
          flag + "=" + flags.get(flag) + " is under a mount: " + mounts);
    }
    // The kernels' directory is a volume of its own, where users put their jars.
    assertTrue(
        mounts.contains(flags.get("--kernels") + "/"),
        "--kernels=" + flags.get("--kernels") + " is a mount: " + mounts);
    // Every emptyDir is bounded: profiles write there, and an unbounded one can fill the node.
    for (JsonElement volume : pod.getAsJsonObject("spec").getAsJsonArray("volumes")) {
      JsonObject emptyDir = volume.getAsJsonObject().getAsJsonObject("emptyDir");
      if (emptyDir != null) {
        assertTrue(emptyDir.has("sizeLimit"), "an emptyDir without sizeLimit: " + volume);
      }
    }
  }

  @Test
  void serviceAndBudget_selectThePods() {
    JsonObject labels =
        byKind
            .get("Deployment")
            .getAsJsonObject("spec")
            .getAsJsonObject("template")
            .getAsJsonObject("metadata")
            .getAsJsonObject("labels");
    assertEquals(labels, byKind.get("Service").getAsJsonObject("spec").getAsJsonObject("selector"));
    assertEquals(
        labels,
        byKind
            .get("PodDisruptionBudget")
            .getAsJsonObject("spec")
            .getAsJsonObject("selector")
            .getAsJsonObject("matchLabels"));
    JsonArray servicePorts = byKind.get("Service").getAsJsonObject("spec").getAsJsonArray("ports");
    assertEquals(2, servicePorts.size());
    JsonObject headless = byKind.get("headless Service").getAsJsonObject("spec");
    assertEquals("None", headless.get("clusterIP").getAsString(), "one address per pod in DNS");
    assertEquals(labels, headless.getAsJsonObject("selector"));
    JsonArray headlessPorts = headless.getAsJsonArray("ports");
    assertEquals(1, headlessPorts.size());
    assertEquals("grpc", headlessPorts.get(0).getAsJsonObject().get("targetPort").getAsString());
  }

  @Test
  void theClusterPoolsPeers_areTheHeadlessServicesReplicas_inThePodsNamespace() throws Exception {
    JsonObject pod = byKind.get("Deployment").getAsJsonObject("spec").getAsJsonObject("template");
    JsonObject container =
        pod.getAsJsonObject("spec").getAsJsonArray("containers").get(0).getAsJsonObject();
    String peers = null;
    for (var a : container.getAsJsonArray("args")) {
      if (a.getAsString().startsWith("--peers=")) {
        peers = a.getAsString().substring("--peers=".length());
      }
    }
    int grpcPort =
        byKind
            .get("headless Service")
            .getAsJsonObject("spec")
            .getAsJsonArray("ports")
            .get(0)
            .getAsJsonObject()
            .get("port")
            .getAsInt();
    assertEquals("dns:///fibperf-headless.$(POD_NAMESPACE).svc.cluster.local:" + grpcPort, peers);
    // Kubernetes expands $(POD_NAMESPACE) from the container's env: the downward API's namespace.
    JsonObject env = container.getAsJsonArray("env").get(0).getAsJsonObject();
    assertEquals("POD_NAMESPACE", env.get("name").getAsString());
    assertEquals(
        "metadata.namespace",
        env.getAsJsonObject("valueFrom")
            .getAsJsonObject("fieldRef")
            .get("fieldPath")
            .getAsString());
    PeerTargets.parse(peers.replace("$(POD_NAMESPACE)", "default")); // throws on a bad target
  }

  private static String output(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }
}
