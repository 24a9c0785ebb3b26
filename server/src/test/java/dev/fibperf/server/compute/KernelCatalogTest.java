package dev.fibperf.server.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.kernel.Kernel;
import dev.fibperf.server.testing.kernels.KernelJar;
import dev.fibperf.server.testing.kernels.MisbehavingKernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kernels found with ServiceLoader: the built-ins from the server's jar, others from jars. */
class KernelCatalogTest {
  @TempDir Path dir;

  @Test
  void theBuiltIns_areFoundByServiceLoader_likeAnyKernel() {
    List<String> listed =
        ServiceLoader.load(Kernel.class).stream().map(p -> p.type().getName()).toList();
    assertEquals(
        List.of(
            FibonacciKernels.Naive.class.getName(),
            FibonacciKernels.Iterative.class.getName(),
            FibonacciKernels.FastDoubling.class.getName(),
            FibonacciKernels.Memoized.class.getName()),
        listed);
    assertEquals(Algorithm.BUILT_IN, KernelCatalog.builtIn().all());
    assertEquals(
        List.of("fib-naive", "fib-iterative", "fib-fast-doubling", "fib-memo"),
        KernelCatalog.builtIn().all().stream().map(Algorithm::kernelName).toList());
  }

  @Test
  void aJar_addsItsKernels_withTheJarsDigest_inALoaderOfTheirOwn() throws Exception {
    Path jar = KernelJar.write(dir.resolve("k.jar"), MisbehavingKernels.ALL);
    KernelCatalog catalog = KernelCatalog.load(List.of(dir));

    Algorithm probe = catalog.find("test-isolation").orElseThrow();
    assertEquals(jar.toAbsolutePath().normalize().toString(), probe.origin());
    assertEquals(
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(jar))),
        probe.digest());
    assertEquals(4 + MisbehavingKernels.ALL.size(), catalog.all().size());
    // Loaded from the jar, not from this test's class path, and blind to the server's gRPC.
    assertTrue(probe.kernel().getClass() != MisbehavingKernels.Isolation.class);
    assertEquals("isolated", probe.compute(1, CancellationToken.NONE));
  }

  @Test
  void aKernelThatThrows_failsWithItsNameAndTheException() throws Exception {
    KernelJar.write(dir.resolve("k.jar"), MisbehavingKernels.ALL);
    Algorithm throwing = KernelCatalog.load(List.of(dir)).find("test-throws").orElseThrow();

    KernelFailedException e =
        assertThrows(
            KernelFailedException.class, () -> throwing.compute(7, CancellationToken.NONE));
    assertEquals(
        "kernel test-throws failed at size 7: java.lang.IllegalStateException: boom at 7",
        e.getMessage());
  }

  @Test
  void aStackOverflow_isTheKernelsFailure_notTheServers() throws Exception {
    KernelJar.write(dir.resolve("k.jar"), MisbehavingKernels.ALL);
    Algorithm deep = KernelCatalog.load(List.of(dir)).find("test-overflows").orElseThrow();

    KernelFailedException e =
        assertThrows(KernelFailedException.class, () -> deep.compute(1, CancellationToken.NONE));
    assertTrue(e.getMessage().contains("java.lang.StackOverflowError"), e.getMessage());
  }

  @Test
  void aKernelCannotEndTheJvm_byAnyRouteJavaCodeHas() throws Exception {
    KernelJar.write(dir.resolve("k.jar"), MisbehavingKernels.ALL);
    Algorithm exits = KernelCatalog.load(List.of(dir)).find("test-exits").orElseThrow();

    // Were any route let through, this test's JVM would end and the run would fail.
    for (int route = 0; route < MisbehavingKernels.Exits.ROUTES; route++) {
      int size = route;
      KernelFailedException e =
          assertThrows(
              KernelFailedException.class, () -> exits.compute(size, CancellationToken.NONE));
      assertTrue(
          e.getMessage().startsWith("kernel test-exits failed at size " + size + ": ")
              && e.getMessage().contains("java.lang.SecurityException"),
          e.getMessage());
      assertTrue(
          route == 7 || e.getMessage().contains("refused: a kernel may not end the server"),
          e.getMessage());
    }
  }

  @Test
  void theGuard_leavesEveryOtherCallAlone() throws Exception {
    // A class that calls nothing guarded comes out byte for byte as it went in.
    byte[] plain =
        Files.readAllBytes(
            Path.of(
                MisbehavingKernels.Throws.class
                    .getResource("MisbehavingKernels$Throws.class")
                    .toURI()));
    assertArrayEquals(plain, KernelClassLoader.guard(plain));
    // The example kernels, loaded through it, still compute what the JDK computes.
    KernelCatalog catalog = KernelCatalog.load(List.of(KernelJar.examples()));
    assertEquals(
        "25", catalog.find("prime-count").orElseThrow().compute(100, CancellationToken.NONE));
  }

  @Test
  void twoKernelsOfOneName_orAPathThatIsNoJar_areRefusedAtStart() throws Exception {
    Path a = Files.createDirectory(dir.resolve("a"));
    Path b = Files.createDirectory(dir.resolve("b"));
    KernelJar.write(a.resolve("one.jar"), List.of(MisbehavingKernels.Throws.class));
    KernelJar.write(b.resolve("two.jar"), List.of(MisbehavingKernels.SameNameAsThrows.class));

    IllegalArgumentException twice =
        assertThrows(IllegalArgumentException.class, () -> KernelCatalog.load(List.of(a, b)));
    assertTrue(
        twice.getMessage().startsWith("kernel name test-throws is taken twice"),
        twice.getMessage());
    IllegalArgumentException notAJar =
        assertThrows(
            IllegalArgumentException.class,
            () -> KernelCatalog.load(List.of(dir.resolve("missing.txt"))));
    assertTrue(
        notAJar.getMessage().contains("is neither a jar nor a directory"), notAJar.getMessage());
  }
}
