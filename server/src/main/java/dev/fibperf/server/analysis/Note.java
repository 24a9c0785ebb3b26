package dev.fibperf.server.analysis;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A true statement about a Compare's figures, as a fact: what kind of statement it is and the
 * figures it cites, by name. English comes from {@link NoteText}, once; tests and clients read the
 * kind and the figures.
 *
 * @param kind what the note states; its javadoc lists the figures
 * @param figures by name, in the order the sentence cites them: {@link Double} ratios, {@link
 *     Duration}s, {@link Long} counts, {@link String} labels and {@link Boolean} flags
 */
public record Note(NoteKind kind, Map<String, Object> figures) {
  public Note {
    Objects.requireNonNull(kind, "kind");
    figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
  }

  public static Builder of(NoteKind kind) {
    return new Builder(kind);
  }

  public double ratio(String name) {
    return (Double) figure(name);
  }

  public Duration duration(String name) {
    return (Duration) figure(name);
  }

  public long count(String name) {
    return (Long) figure(name);
  }

  public String label(String name) {
    return (String) figure(name);
  }

  public boolean flag(String name) {
    return (Boolean) figure(name);
  }

  private Object figure(String name) {
    Object value = figures.get(name);
    if (value == null) {
      throw new IllegalArgumentException(kind + " cites no figure " + name + ": " + figures);
    }
    return value;
  }

  /** Collects a note's figures in the order they are added. */
  public static final class Builder {
    private final NoteKind kind;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    private Builder(NoteKind kind) {
      this.kind = kind;
    }

    public Builder ratio(String name, double value) {
      return put(name, value);
    }

    public Builder duration(String name, Duration value) {
      return put(name, value);
    }

    public Builder count(String name, long value) {
      return put(name, value);
    }

    public Builder label(String name, String value) {
      return put(name, value);
    }

    public Builder flag(String name, boolean value) {
      return put(name, value);
    }

    private Builder put(String name, Object value) {
      if (figures.putIfAbsent(name, Objects.requireNonNull(value, name)) != null) {
        throw new IllegalArgumentException(kind + " cites " + name + " twice");
      }
      return this;
    }

    public Note build() {
      return new Note(kind, figures);
    }
  }
}
