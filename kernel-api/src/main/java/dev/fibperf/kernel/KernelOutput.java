package dev.fibperf.kernel;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What one task computed: text, or bytes. fibperf shows it to the caller as text (bytes in
 * lower-case hexadecimal), so keep it short: a digest or a count, not a data set.
 */
public final class KernelOutput {
  /** The longest text or hex form a caller is sent; longer results are refused as a kernel bug. */
  public static final int MAX_CHARS = 4096;

  private final String text;
  private final byte[] bytes;

  private KernelOutput(String text, byte[] bytes) {
    this.text = text;
    this.bytes = bytes;
  }

  /** A textual result, e.g. a decimal number. */
  public static KernelOutput text(String text) {
    return new KernelOutput(Objects.requireNonNull(text, "text"), null);
  }

  /** A binary result, e.g. a derived key; shown in hexadecimal. */
  public static KernelOutput bytes(byte[] bytes) {
    return new KernelOutput(null, Objects.requireNonNull(bytes, "bytes").clone());
  }

  /** Whether it is bytes rather than text. */
  public boolean isBytes() {
    return bytes != null;
  }

  /** The bytes (a copy), or null for text. */
  public byte[] bytesOrNull() {
    return bytes == null ? null : bytes.clone();
  }

  /** As the caller sees it: the text, or the bytes in lower-case hexadecimal. */
  public String display() {
    return bytes == null ? text : HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KernelOutput other
        && Objects.equals(text, other.text)
        && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(text, Arrays.hashCode(bytes));
  }

  @Override
  public String toString() {
    return display();
  }
}
