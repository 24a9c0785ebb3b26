package dev.fibperf.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The bearer tokens a server accepts, read from a file of lines {@code <principal> <token>
 * [role,role...]} ({@code #} starts a comment; no roles means all of them). Only SHA-256 digests
 * are kept, and a presented token is compared with every one in constant time, so neither the
 * answer's timing nor its length says how close a guess came.
 */
public final class Tokens {
  private record Entry(String principal, byte[] digest, Set<Role> roles) {}

  private final List<Entry> entries;

  private Tokens(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  public static Tokens none() {
    return new Tokens(List.of());
  }

  /**
   * @throws IllegalArgumentException naming the file, the line and what is wrong with it
   */
  public static Tokens read(Path file) throws IOException {
    List<Entry> entries = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      String where = file + " line " + (i + 1);
      if (fields.length < 2 || fields.length > 3) {
        throw new IllegalArgumentException(
            where
                + ": expected <principal> <token> [role,role...], got "
                + fields.length
                + " fields");
      }
      if (fields[1].length() < 16) {
        throw new IllegalArgumentException(
            where
                + ": the token of "
                + fields[0]
                + " has "
                + fields[1].length()
                + " characters, fewer than 16");
      }
      Set<Role> roles =
          fields.length == 3 ? Role.parseAll(fields[2], where) : EnumSet.allOf(Role.class);
      entries.add(new Entry(fields[0], sha256(fields[1]), roles));
    }
    return new Tokens(entries);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Who {@code token} belongs to, with their roles; empty if it is no token of this server's. */
  Optional<Principal> authenticate(String token) {
    byte[] presented = sha256(token);
    Entry match = null;
    for (Entry e : entries) { // every entry, match or not: the time does not depend on which
      if (MessageDigest.isEqual(presented, e.digest()) && match == null) {
        match = e;
      }
    }
    return match == null
        ? Optional.empty()
        : Optional.of(new Principal("token:" + match.principal(), match.roles()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }
}
