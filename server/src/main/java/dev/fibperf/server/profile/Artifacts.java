package dev.fibperf.server.profile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import one.convert.Arguments;
import one.convert.FlameGraph;

/** Downloadable forms of a profile, built from its attributed samples only. */
public final class Artifacts {
  private Artifacts() {}

  /**
   * Collapsed stacks, the flame-graph input format: one line per distinct stack, frames root first
   * joined by ';', a space, and the sample count. Sorted, so equal profiles give equal bytes.
   */
  public static byte[] collapsed(ProfileReport report) {
    StringBuilder out = new StringBuilder();
    report.collapsedStacks().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.append(e.getKey()).append(' ').append(e.getValue()).append('\n'));
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A self-contained flame-graph HTML page, rendered by async-profiler's converter. */
  public static byte[] flameGraphHtml(ProfileReport report, String title) {
    Arguments args = new Arguments();
    args.title = title;
    FlameGraph graph = new FlameGraph(args);
    try {
      graph.parseCollapsed(new StringReader(new String(collapsed(report), StandardCharsets.UTF_8)));
      ByteArrayOutputStream html = new ByteArrayOutputStream();
      graph.dump(html);
      return html.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
