package dev.fibperf.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fibperf.kernel.Cancellation;
import dev.fibperf.kernel.Kernel;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CancellationException;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;

/** Each example kernel against an implementation it does not share code with. */
class ExampleKernelsTest {
  @Test
  void pbkdf2_matchesRfc7914sTestVector() throws Exception {
    // RFC 7914, section 11: PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1, dkLen=64), first 32.
    byte[] key =
        Pbkdf2Kernel.derive(
            "passwd".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            "salt".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            1,
            Cancellation.NEVER);
    assertEquals(
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc",
        HexFormat.of().formatHex(key));
  }

  @Test
  void pbkdf2_matchesTheJdksSecretKeyFactory() throws Exception {
    SecretKeyFactory jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
    Pbkdf2Kernel kernel = new Pbkdf2Kernel();
    for (int iterations : new int[] {1, 2, 255, 256, 257, 1000, 4096}) {
      char[] password = new String(Pbkdf2Kernel.PASSWORD, "UTF-8").toCharArray();
      byte[] expected =
          jdk.generateSecret(
                  new PBEKeySpec(password, Pbkdf2Kernel.salt(iterations), iterations, 256))
              .getEncoded();
      assertEquals(
          HexFormat.of().formatHex(expected),
          kernel.compute(iterations, Cancellation.NEVER).display(),
          "iterations " + iterations);
      assertArrayEquals(expected, kernel.compute(iterations, Cancellation.NEVER).bytesOrNull());
    }
  }

  @Test
  void primeCount_matchesKnownValuesAndATrialDivisionCount() {
    long[] n = {0, 1, 2, 3, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000};
    long[] pi = {0, 0, 1, 2, 4, 25, 168, 1_229, 9_592, 78_498, 664_579};
    for (int i = 0; i < n.length; i++) {
      assertEquals(pi[i], PrimeCountKernel.count(n[i], Cancellation.NEVER), "pi(" + n[i] + ")");
    }
    // Across a segment boundary (2^18), against BigInteger's primality test.
    long limit = (1 << 18) + 5_000;
    long expected = 0;
    for (long k = 2; k <= limit; k++) {
      if (BigInteger.valueOf(k).isProbablePrime(50)) {
        expected++;
      }
    }
    assertEquals(expected, PrimeCountKernel.count(limit, Cancellation.NEVER));
  }

  @Test
  void bothStop_whenCancelled() {
    assertThrows(
        CancellationException.class, () -> new Pbkdf2Kernel().compute(1_000_000, () -> true));
    assertThrows(
        CancellationException.class, () -> new PrimeCountKernel().compute(100_000_000, () -> true));
  }

  @Test
  void serviceLoader_findsBoth() {
    List<String> names =
        ServiceLoader.load(Kernel.class).stream().map(p -> p.get().name()).sorted().toList();
    assertEquals(List.of("pbkdf2-sha256", "prime-count"), names);
  }
}
