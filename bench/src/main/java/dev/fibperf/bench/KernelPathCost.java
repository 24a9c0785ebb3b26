package dev.fibperf.bench;

import dev.fibperf.bench.kernels.NaiveFibCopy;
import dev.fibperf.kernel.Kernel;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.compute.KernelCatalog;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * What a kernel loaded from a jar costs per task against the built-in one: the same naive recursion
 * as {@code fib-naive}, written out in {@link NaiveFibCopy}, packed into a jar at run time and
 * loaded through {@link KernelCatalog} (its own class loader), each called through {@link
 * Algorithm#compute} as a task is. Rounds alternate the two, and print the medians of ns per task
 * and their ratio.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fibperf.bench.KernelPathCost [rounds] [n] [calls]
 * </pre>
 */
public final class KernelPathCost {
  private KernelPathCost() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int calls = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
    Path dir = Files.createTempDirectory("fibperf-kernel-path");
    writeJar(dir.resolve("copy.jar"));
    Algorithm loaded = KernelCatalog.load(List.of(dir)).find("fib-naive-copy").orElseThrow();
    Algorithm builtIn = Algorithm.NAIVE;
    if (!loaded
        .compute(n, CancellationToken.NONE)
        .equals(builtIn.compute(n, CancellationToken.NONE))) {
      throw new AssertionError("the copy disagrees");
    }
    for (int i = 0; i < 5; i++) {
      time(builtIn, n, calls);
      time(loaded, n, calls);
    }
    List<Double> builtInNs = new ArrayList<>();
    List<Double> loadedNs = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      boolean loadedFirst = r % 2 == 1;
      double a = loadedFirst ? 0 : time(builtIn, n, calls);
      double b = time(loaded, n, calls);
      if (loadedFirst) {
        a = time(builtIn, n, calls);
      }
      builtInNs.add(a);
      loadedNs.add(b);
      ratios.add(b / a);
      System.out.printf(
          Locale.ROOT,
          "round %2d  built-in %8.1f ns/task  loaded %8.1f ns/task  %.3fx%n",
          r + 1,
          a,
          b,
          b / a);
    }
    System.out.printf(
        Locale.ROOT,
        "median of %d rounds, fib(%d), %d calls each: built-in %.1f ns, loaded %.1f ns per task;"
            + " loaded/built-in %.3fx (range %.3f–%.3f)%n",
        rounds,
        n,
        calls,
        median(builtInNs),
        median(loadedNs),
        median(ratios),
        Collections.min(ratios),
        Collections.max(ratios));
  }

  private static Object sink;

  private static double time(Algorithm algorithm, int n, int calls) {
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      sink = algorithm.compute(n, CancellationToken.NONE);
    }
    return (double) (System.nanoTime() - t0) / calls;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static void writeJar(Path jar) throws Exception {
    String name = NaiveFibCopy.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry(name));
      try (var in = NaiveFibCopy.class.getClassLoader().getResourceAsStream(name)) {
        in.transferTo(out);
      }
      out.closeEntry();
      out.putNextEntry(new JarEntry("META-INF/services/" + Kernel.class.getName()));
      out.write((NaiveFibCopy.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
  }
}
