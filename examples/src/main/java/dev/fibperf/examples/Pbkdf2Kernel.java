package dev.fibperf.examples;

import dev.fibperf.kernel.Cancellation;
import dev.fibperf.kernel.Kernel;
import dev.fibperf.kernel.KernelOutput;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * PBKDF2-HMAC-SHA256 (RFC 8018) with {@code size} iterations: the work a login server does for
 * every password it checks, and the cost knob its operators turn. Each task derives a 32-byte key
 * from a fixed password and a salt that names the size, so every task's result can be checked.
 *
 * <p>The iteration loop is written out here (rather than calling {@code SecretKeyFactory}) so a
 * profile shows where the time goes: {@link #derive}, then the JDK's HMAC and SHA-256.
 */
public final class Pbkdf2Kernel implements Kernel {
  static final byte[] PASSWORD = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
  static final int KEY_BYTES = 32;

  /** Iterations between cancellation checks: about 0.3 ms of work. */
  private static final int CHECK_EVERY = 256;

  @Override
  public String name() {
    return "pbkdf2-sha256";
  }

  @Override
  public String version() {
    return "1.0";
  }

  @Override
  public String description() {
    return "PBKDF2-HMAC-SHA256 key derivation with n iterations (32-byte key, hex)";
  }

  @Override
  public long minSize() {
    return 1;
  }

  /** Ten million iterations: about ten seconds here, fifty times OWASP's 2023 advice. */
  @Override
  public long maxSize() {
    return 10_000_000;
  }

  @Override
  public KernelOutput compute(long size, Cancellation cancellation)
      throws GeneralSecurityException {
    return KernelOutput.bytes(derive(PASSWORD, salt(size), (int) size, cancellation));
  }

  /** Cost grows linearly with the iterations. */
  @Override
  public double costHint(long size) {
    return size;
  }

  static byte[] salt(long size) {
    return ("fibperf-pbkdf2-" + size).getBytes(StandardCharsets.UTF_8);
  }

  /** The first 32 bytes of PBKDF2-HMAC-SHA256: one block, T1 = U1 xor U2 xor ... xor Uc. */
  static byte[] derive(byte[] password, byte[] salt, int iterations, Cancellation cancellation)
      throws GeneralSecurityException {
    Mac hmac = Mac.getInstance("HmacSHA256");
    hmac.init(new SecretKeySpec(password, "HmacSHA256"));
    hmac.update(salt);
    hmac.update(new byte[] {0, 0, 0, 1}); // block index 1, big-endian
    byte[] u = hmac.doFinal();
    byte[] t = u.clone();
    for (int i = 1; i < iterations; i++) {
      if (i % CHECK_EVERY == 0) {
        cancellation.check();
      }
      u = hmac.doFinal(u);
      for (int j = 0; j < t.length; j++) {
        t[j] ^= u[j];
      }
    }
    return t;
  }
}
