package dev.fibperf.server.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a module ships against what it needs at run time, read from the files the build writes (the
 * parent pom's {@code shipped-tree} and {@code shipped-classpath} executions): a dependency made
 * test- or provided-scoped over the runtime scope it has transitively, and an artifact of the
 * runtime class path whose classes did not reach a shaded jar or an image.
 */
public final class ShippedDependencies {
  /** A node of {@code dependency:tree -Dverbose} that a nearer declaration kept off run time. */
  private static final Pattern OVERRIDDEN =
      Pattern.compile(
          "([\\w.-]+:[\\w.-]+):jar:([^:]+):(test|provided) \\(.*scope not updated to"
              + " (compile|runtime)");

  private ShippedDependencies() {}

  /** The module's verbose dependency tree, written at generate-test-resources. */
  public static Path tree() {
    return Path.of("target", "dependency-tree.txt");
  }

  /** The module's runtime class path, one line of jar paths joined by the path separator. */
  public static Path runtimeClasspath() {
    return Path.of("target", "runtime-classpath.txt");
  }

  /**
   * Artifacts that something the module ships needs at run time but that the module's own pom
   * declares test- or provided-scoped, each as "group:artifact:version (scope)".
   */
  public static List<String> scopeOverrides(Path tree) throws IOException {
    List<String> found = new ArrayList<>();
    for (String line : Files.readAllLines(tree, StandardCharsets.UTF_8)) {
      Matcher m = OVERRIDDEN.matcher(line);
      if (m.find()) {
        found.add(
            m.group(1)
                + ":"
                + m.group(2)
                + " is declared "
                + m.group(3)
                + "-scoped, but the code that ships needs it at "
                + m.group(4)
                + " scope through another dependency: it would be missing from the jar and the"
                + " image (declare it runtime, or not at all)");
      }
    }
    return found;
  }

  /** The jars of the module's runtime class path. */
  public static List<Path> runtimeJars() throws IOException {
    String line = Files.readString(runtimeClasspath(), StandardCharsets.UTF_8).trim();
    List<Path> jars = new ArrayList<>();
    for (String entry : line.split(java.io.File.pathSeparator)) {
      if (entry.endsWith(".jar")) {
        jars.add(Path.of(entry));
      }
    }
    return jars;
  }

  /**
   * Runtime jars with a class the shaded {@code jar} lacks, each named with the first class
   * missing. Multi-release and module-info classes are left out: shading keeps one of each.
   */
  public static List<String> missingFrom(Path jar, List<Path> runtimeJars) throws IOException {
    Set<String> shipped = entries(jar);
    List<String> missing = new ArrayList<>();
    for (Path dependency : runtimeJars) {
      for (String entry : entries(dependency)) {
        if (entry.endsWith(".class")
            && !entry.startsWith("META-INF/")
            && !entry.endsWith("module-info.class")
            && !shipped.contains(entry)) {
          missing.add(dependency.getFileName() + " (" + entry + " is not in " + jar + ")");
          break;
        }
      }
    }
    return missing;
  }

  private static Set<String> entries(Path jar) throws IOException {
    Set<String> names = new HashSet<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        names.add(e.nextElement().getName());
      }
    }
    return names;
  }
}
