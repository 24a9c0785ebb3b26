package dev.fibperf.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.testing.ShippedDependencies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing the server needs at run time is declared test-scoped: such a declaration wins over the
 * runtime scope it has transitively, so every in-process test passes while the shaded jar and the
 * image lack it (gson did this, and the shipped dashboard died of it).
 */
class ShippedDependenciesTest {
  @Test
  void noRuntimeDependencyIsDeclaredTestScoped() throws Exception {
    assertTrue(Files.isRegularFile(ShippedDependencies.tree()), "the build writes the tree");
    assertEquals(List.of(), ShippedDependencies.scopeOverrides(ShippedDependencies.tree()));
  }

  @Test
  void theCheckNamesTheArtifact_inTheTreeThatShippedTheDeadDashboard(@TempDir Path dir)
      throws Exception {
    Path tree = dir.resolve("tree.txt");
    Files.writeString(
        tree,
        String.join(
            "\n",
            "dev.fibperf:fibperf-server:jar:0.1.0-SNAPSHOT",
            "+- io.grpc:grpc-services:jar:1.83.0:compile",
            "|  \\- (com.google.code.gson:gson:jar:2.14.0:runtime - omitted for duplicate)",
            "+- io.grpc:grpc-netty-shaded:jar:1.83.0:compile",
            "|  +- io.grpc:grpc-util:jar:1.83.0:runtime (version managed from 1.83.0; scope not"
                + " updated to runtime)",
            "\\- com.google.code.gson:gson:jar:2.14.0:test (scope not updated to runtime)"));

    List<String> found = ShippedDependencies.scopeOverrides(tree);

    assertEquals(1, found.size(), found.toString());
    assertTrue(
        found.get(0).startsWith("com.google.code.gson:gson:2.14.0 is declared test-scoped"),
        found.get(0));
  }
}
