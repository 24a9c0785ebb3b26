package dev.fibperf.server.compute;

import dev.fibperf.kernel.Kernel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Every kernel a server (or one of its worker processes) can run: the built-in Fibonacci kernels
 * and those found with {@link ServiceLoader} in the jars given at start ({@code --kernels}). Code
 * arrives only that way, never over RPC.
 *
 * <p>Loaded kernels live in one class loader of their own whose parent shows them the kernel API
 * and the JDK and nothing else of the server: a kernel cannot reach into (or clash with) the
 * server's gRPC, protobuf or Micrometer; and whatever they call to end the JVM is refused ({@link
 * KernelClassLoader}).
 */
public final class KernelCatalog {
  private final Map<String, Algorithm> byName;
  private final List<Path> jars;

  private KernelCatalog(Map<String, Algorithm> byName, List<Path> jars) {
    this.byName = byName;
    this.jars = List.copyOf(jars);
  }

  /** The built-in kernels only. */
  public static KernelCatalog builtIn() {
    return load(List.of());
  }

  /**
   * The built-in kernels and every kernel in {@code paths} (jars, or directories whose {@code
   * *.jar} files are taken, in name order).
   *
   * @throws IllegalArgumentException if a path is neither, a jar names a kernel that cannot be
   *     loaded, or two kernels share a name
   */
  public static KernelCatalog load(List<Path> paths) {
    Map<String, Algorithm> byName = new LinkedHashMap<>();
    // The built-ins are listed by ServiceLoader like any other, from the server's own jar.
    for (Kernel k : ServiceLoader.load(Kernel.class, KernelCatalog.class.getClassLoader())) {
      Algorithm builtIn =
          Algorithm.BUILT_IN.stream()
              .filter(a -> a.kernel().getClass() == k.getClass())
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          k.getClass().getName()
                              + " is listed in the server's own jar but is"
                              + " not one of its built-in kernels"));
      byName.put(builtIn.kernelName(), builtIn);
    }
    List<Path> jars = jars(paths);
    if (!jars.isEmpty()) {
      KernelClassLoader loader =
          new KernelClassLoader(
              jars.stream().map(KernelCatalog::url).toArray(URL[]::new),
              new KernelApiOnly(Kernel.class.getClassLoader()));
      Map<Path, String> digests = new LinkedHashMap<>();
      for (Path jar : jars) {
        digests.put(jar, sha256(jar));
      }
      try {
        for (ServiceLoader.Provider<Kernel> provider :
            ServiceLoader.load(Kernel.class, loader).stream().toList()) {
          Path jar = jarOf(provider.type(), jars);
          Kernel kernel = provider.get();
          Algorithm loaded = Algorithm.loaded(kernel, jar.toString(), digests.get(jar));
          Algorithm clash = byName.putIfAbsent(loaded.kernelName(), loaded);
          if (clash != null) {
            throw new IllegalArgumentException(
                "kernel name "
                    + loaded.kernelName()
                    + " is taken twice: by "
                    + clash.origin()
                    + " and by "
                    + jar);
          }
        }
      } catch (ServiceConfigurationError e) {
        throw new IllegalArgumentException("--kernels: " + e.getMessage(), e);
      }
    }
    return new KernelCatalog(byName, jars);
  }

  /** Every kernel, built-ins first, then loaded ones in the order found. */
  public List<Algorithm> all() {
    return List.copyOf(byName.values());
  }

  public Optional<Algorithm> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The jars kernels were loaded from: what worker processes load too. */
  public List<Path> jars() {
    return jars;
  }

  private static List<Path> jars(List<Path> paths) {
    List<Path> jars = new ArrayList<>();
    for (Path path : paths) {
      Path p = path.toAbsolutePath().normalize();
      if (Files.isDirectory(p)) {
        try (Stream<Path> files = Files.list(p)) {
          files
              .filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
              .sorted()
              .forEach(jars::add);
        } catch (IOException e) {
          throw new UncheckedIOException("--kernels " + p, e);
        }
      } else if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
        jars.add(p);
      } else {
        throw new IllegalArgumentException(
            "--kernels " + path + " is neither a jar nor a directory of jars");
      }
    }
    return jars;
  }

  private static URL url(Path jar) {
    try {
      return jar.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("--kernels " + jar, e);
    }
  }

  private static Path jarOf(Class<?> type, List<Path> jars) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source != null) {
      try {
        Path where = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
        if (jars.contains(where)) {
          return where;
        }
      } catch (java.net.URISyntaxException | IllegalArgumentException e) {
        // fall through
      }
    }
    throw new IllegalArgumentException(
        "kernel class " + type.getName() + " was not loaded from any --kernels jar");
  }

  /** The SHA-256 of {@code file}'s bytes, in lower-case hex. */
  public static String sha256(Path file) {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new UncheckedIOException("--kernels " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The parent of the kernels' class loader: the kernel API (and the {@link ExitGuard} their calls
   * to the JVM's exits are sent to) from the server's loader, everything else from the JDK's
   * platform loader. A kernel's own dependencies belong in its jars.
   */
  private static final class KernelApiOnly extends ClassLoader {
    private final ClassLoader server;

    KernelApiOnly(ClassLoader server) {
      super("fibperf-kernel-api", ClassLoader.getPlatformClassLoader());
      this.server = server;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("dev.fibperf.kernel.") || name.equals(ExitGuard.class.getName())) {
        return server.loadClass(name);
      }
      return super.loadClass(name, resolve);
    }
  }
}
