package dev.fibperf.server.testing.kernels;

import dev.fibperf.kernel.Kernel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes a kernel jar the way a user's build would: the compiled classes of this package and a
 * {@code META-INF/services/dev.fibperf.kernel.Kernel} listing {@code kernels}.
 */
public final class KernelJar {
  private KernelJar() {}

  public static Path write(Path jar, List<Class<? extends Kernel>> kernels) throws IOException {
    Path classes;
    try {
      classes =
          Path.of(KernelJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    String pkg = KernelJar.class.getPackageName().replace('.', '/');
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> files = Files.list(classes.resolve(pkg))) {
      for (Path c : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
        if (c.getFileName().toString().startsWith("KernelJar")) {
          continue; // the test's own helper is not part of the kernels' jar
        }
        out.putNextEntry(new JarEntry(pkg + "/" + c.getFileName()));
        out.write(Files.readAllBytes(c));
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry("META-INF/services/" + Kernel.class.getName()));
      out.write(
          kernels.stream()
              .map(Class::getName)
              .collect(Collectors.joining("\n", "", "\n"))
              .getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }

  /** The example kernels' jar, built by the examples module before this one. */
  public static Path examples() throws IOException {
    Path target = Path.of("..", "examples", "target").toAbsolutePath().normalize();
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(
              f -> {
                String name = f.getFileName().toString();
                return name.startsWith("fibperf-examples-")
                    && name.endsWith(".jar")
                    && !name.endsWith("-sources.jar")
                    && !name.endsWith("-javadoc.jar")
                    && !name.endsWith("-tests.jar");
              })
          .findFirst()
          .orElseThrow(() -> new IOException("no examples jar in " + target + ": build it first"));
    }
  }
}
