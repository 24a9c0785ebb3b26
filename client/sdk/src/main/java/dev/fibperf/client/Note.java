package dev.fibperf.client;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A true statement about a {@link Comparison}'s figures: its kind, the figures it cites by name,
 * and the server's sentence for people. Programs read the kind and the figures.
 *
 * @param kind what the note states
 * @param figures by name, in the order the sentence cites them: {@link Double} ratios, {@link
 *     Duration}s, {@link Long} counts, {@link String} labels and {@link Boolean} flags
 * @param text the statement in English; every number in it is one of the figures
 */
public record Note(NoteKind kind, Map<String, Object> figures, String text) {
  public Note {
    figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
  }

  /** A dimensionless figure: a speedup, a share or a fraction (0.25 is 25 %). */
  public double ratio(String name) {
    return figure(name, Double.class);
  }

  public Duration duration(String name) {
    return figure(name, Duration.class);
  }

  public long count(String name) {
    return figure(name, Long.class);
  }

  /** A name: a phase, a pool, a verdict, a schedule. */
  public String label(String name) {
    return figure(name, String.class);
  }

  public boolean flag(String name) {
    return figure(name, Boolean.class);
  }

  private <T> T figure(String name, Class<T> type) {
    Object value = figures.get(name);
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException(
          kind + " cites no " + type.getSimpleName() + " named " + name + ": " + figures);
    }
    return type.cast(value);
  }
}
