package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fibperf.server.testing.ShippedDependencies;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nothing the CLI (or the server `fibperf demo` embeds) needs at run time is test-scoped here. */
class ShippedDependenciesTest {
  @Test
  void noRuntimeDependencyIsDeclaredTestScoped() throws Exception {
    assertEquals(List.of(), ShippedDependencies.scopeOverrides(ShippedDependencies.tree()));
  }
}
