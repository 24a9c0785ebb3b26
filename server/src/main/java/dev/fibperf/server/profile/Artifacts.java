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
    return lines(report.collapsedStacks()).getBytes(StandardCharsets.UTF_8);
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

  /**
   * Differential collapsed stacks, as Brendan Gregg's {@code difffolded.pl -n} writes them: every
   * stack of either profile, a space, its count in {@code before} scaled to {@code after}'s total,
   * a space, its count in {@code after}. Scaled, so a stack that kept its share of the samples has
   * equal counts, however many more samples one profile has. Sorted by stack.
   */
  public static byte[] diffCollapsed(ProfileReport before, ProfileReport after) {
    Map<String, Long> scaledBefore = scaledTo(before, after.totalSamples());
    java.util.TreeSet<String> stacks = new java.util.TreeSet<>(scaledBefore.keySet());
    stacks.addAll(after.collapsedStacks().keySet());
    StringBuilder out = new StringBuilder();
    for (String stack : stacks) {
      out.append(stack)
          .append(' ')
          .append(scaledBefore.getOrDefault(stack, 0L))
          .append(' ')
          .append(after.collapsedStacks().getOrDefault(stack, 0L))
          .append('\n');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A differential flame graph: {@code after}'s shape, each frame coloured by how its self samples
   * changed from {@code before} (scaled to {@code after}'s total, as in {@link #diffCollapsed}):
   * red grew, blue shrank. Rendered by async-profiler's converter, as its {@code --diff} does.
   */
  public static byte[] diffFlameGraphHtml(ProfileReport before, ProfileReport after, String title) {
    Arguments args = new Arguments();
    args.title = title;
    args.diff = true;
    FlameGraph base = new FlameGraph(args);
    FlameGraph graph = new FlameGraph(args);
    try {
      base.parseCollapsed(new StringReader(lines(scaledTo(before, after.totalSamples()))));
      graph.parseCollapsed(new StringReader(lines(after.collapsedStacks())));
      graph.diff(base);
      ByteArrayOutputStream html = new ByteArrayOutputStream();
      graph.dump(html);
      return html.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code report}'s stack counts times {@code total / report.totalSamples()}, rounded. */
  private static Map<String, Long> scaledTo(ProfileReport report, long total) {
    double scale = report.totalSamples() == 0 ? 0 : (double) total / report.totalSamples();
    Map<String, Long> scaled = new java.util.HashMap<>();
    report.collapsedStacks().forEach((stack, n) -> scaled.put(stack, Math.round(n * scale)));
    return scaled;
  }

  private static String lines(Map<String, Long> stacks) {
    StringBuilder out = new StringBuilder();
    stacks.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.append(e.getKey()).append(' ').append(e.getValue()).append('\n'));
    return out.toString();
  }
}
