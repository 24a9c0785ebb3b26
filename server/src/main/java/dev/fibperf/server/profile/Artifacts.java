package dev.fibperf.server.profile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import one.convert.Arguments;
import one.convert.FlameGraph;
import one.proto.Proto;

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

  /**
   * The profile in pprof's format (github.com/google/pprof, proto/profile.proto), gzipped as {@code
   * go tool pprof} and its UIs read it: one sample per distinct stack (its locations leaf first,
   * each a function named by its frame), valued in samples and in CPU nanoseconds at the sampling
   * period. Encoded with async-profiler's own protobuf writer, as its JFR-to-pprof converter is.
   *
   * @param period the sampling period a sample stands for; zero for a stored profile, whose samples
   *     are then counted only
   */
  public static byte[] pprof(ProfileReport report, java.time.Duration period) {
    Map<String, Integer> strings = new java.util.LinkedHashMap<>();
    strings.put("", 0);
    java.util.function.ToIntFunction<String> string =
        text -> strings.computeIfAbsent(text, t -> strings.size());
    Map<String, Integer> functions = new java.util.LinkedHashMap<>();
    Proto profile = new Proto(4096);
    profile.field(1, valueType(string, "samples", "count"));
    profile.field(1, valueType(string, "cpu", "nanoseconds"));
    for (Map.Entry<String, Long> stack :
        new java.util.TreeMap<>(report.collapsedStacks()).entrySet()) {
      String[] frames = stack.getKey().split(";");
      Proto sample = new Proto(64);
      for (int i = frames.length - 1; i >= 0; i--) { // leaf first
        sample.field(1, (long) functions.computeIfAbsent(frames[i], f -> functions.size() + 1));
      }
      sample.field(2, (long) stack.getValue());
      sample.field(2, stack.getValue() * period.toNanos());
      profile.field(2, sample);
    }
    // One location per function, with the same id: a frame here is a method, not an address.
    for (Map.Entry<String, Integer> f : functions.entrySet()) {
      Proto line = new Proto(8).field(1, (long) f.getValue());
      profile.field(4, new Proto(16).field(1, (long) f.getValue()).field(4, line));
    }
    for (Map.Entry<String, Integer> f : functions.entrySet()) {
      int name = string.applyAsInt(f.getKey());
      profile.field(
          5,
          new Proto(16).field(1, (long) f.getValue()).field(2, (long) name).field(3, (long) name));
    }
    int cpu = string.applyAsInt("cpu");
    int nanoseconds = string.applyAsInt("nanoseconds");
    for (String s : strings.keySet()) {
      profile.field(6, s);
    }
    profile.field(11, new Proto(8).field(1, (long) cpu).field(2, (long) nanoseconds));
    profile.field(12, period.toNanos());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(profile.buffer(), 0, profile.size());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static Proto valueType(
      java.util.function.ToIntFunction<String> string, String type, String unit) {
    return new Proto(8)
        .field(1, (long) string.applyAsInt(type))
        .field(2, (long) string.applyAsInt(unit));
  }
}
