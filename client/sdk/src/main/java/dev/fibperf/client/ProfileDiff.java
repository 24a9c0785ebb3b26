package dev.fibperf.client;

import java.nio.charset.StandardCharsets;

/**
 * What changed from a profiled Compare's serial phase to its parallel one, normalised per sample:
 * the serial counts are scaled to the parallel phase's total, so a stack that kept its share shows
 * no change.
 *
 * @param collapsedPairs one line per stack, {@code frame;frame;frame before after}, root first: the
 *     input of {@code flamegraph.pl} for a differential graph
 * @param flameGraphHtml a self-contained differential flame-graph page (red grew, blue shrank)
 */
public record ProfileDiff(String collapsedPairs, byte[] flameGraphHtml) {
  public ProfileDiff {
    flameGraphHtml = flameGraphHtml.clone();
  }

  @Override
  public byte[] flameGraphHtml() {
    return flameGraphHtml.clone();
  }

  /** The page as text. */
  public String flameGraphHtmlText() {
    return new String(flameGraphHtml, StandardCharsets.UTF_8);
  }
}
