package dev.fibperf.server.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A throwaway certificate for {@code localhost} and {@code 127.0.0.1}, made with {@code openssl},
 * for TLS tests in every module (shared through the server's test-jar).
 *
 * @param cert the PEM certificate, which is also its own CA
 * @param key the PEM PKCS#8 private key
 */
public record SelfSignedCert(Path cert, Path key) {
  /** Writes {@code cert.pem} and {@code key.pem} into {@code dir}. */
  public static SelfSignedCert create(Path dir) throws IOException, InterruptedException {
    return create(dir, "localhost");
  }

  /** The same for {@code commonName}, e.g. a client's certificate. */
  public static SelfSignedCert create(Path dir, String commonName)
      throws IOException, InterruptedException {
    return create(dir, commonName, List.of("localhost", "127.0.0.1"));
  }

  /**
   * One for {@code commonName} that names each of {@code hosts} (IP addresses or DNS names), e.g.
   * the one certificate of a cluster's replicas on several loopback addresses.
   */
  public static SelfSignedCert create(Path dir, String commonName, List<String> hosts)
      throws IOException, InterruptedException {
    String names =
        hosts.stream()
            .map(
                h ->
                    (h.chars().allMatch(c -> c == '.' || Character.isDigit(c)) ? "IP:" : "DNS:")
                        + h)
            .collect(Collectors.joining(","));
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString(),
                "-days",
                "1",
                "-subj",
                "/CN=" + commonName,
                "-addext",
                "subjectAltName=" + names)
            .redirectErrorStream(true)
            .start();
    String out = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (openssl.waitFor() != 0) {
      throw new IOException("openssl failed: " + out);
    }
    return new SelfSignedCert(cert, key);
  }
}
