package dev.fibperf.client.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.Verdict;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What {@code compare --repeat} reports: the speedup and attainment of the CLEAN runs (median, min,
 * max), and how many runs got each verdict. Runs with another verdict measured something besides
 * the tasks (other calls, a busy host, an impossible figure), so they are counted, never
 * summarised.
 */
record RepeatSummary(int runs, Map<Verdict, Integer> verdicts, List<Comparison> clean) {
  static RepeatSummary of(List<Comparison> runs) {
    Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
    List<Comparison> clean = new ArrayList<>();
    for (Comparison c : runs) {
      verdicts.merge(c.verdict(), 1, Integer::sum);
      if (c.verdict() == Verdict.CLEAN) {
        clean.add(c);
      }
    }
    return new RepeatSummary(runs.size(), verdicts, clean);
  }

  void print(PrintWriter out) {
    out.printf("verdicts   %s of %d runs%n", counts(), runs);
    if (clean.isEmpty()) {
      out.println(
          "no CLEAN run: nothing measured the tasks' own speedup; run again on a quieter machine,"
              + " or see each run's notes");
      return;
    }
    Comparison last = clean.get(clean.size() - 1);
    out.printf(
        Locale.ROOT,
        "speedup    median %.2fx, min %.2fx, max %.2fx over the %d CLEAN runs (ideal %.2fx on %d"
            + " workers, from the last clean run's measured costs)%n",
        median(Comparison::speedup),
        min(Comparison::speedup),
        max(Comparison::speedup),
        clean.size(),
        last.idealSpeedup(),
        last.workers());
    out.printf(
        Locale.ROOT,
        "attainment median %.0f%%, min %.0f%%, max %.0f%% of the optimal schedule%n",
        100 * median(Comparison::attainment),
        100 * min(Comparison::attainment),
        100 * max(Comparison::attainment));
  }

  String json() {
    JsonObject o = new JsonObject();
    o.addProperty("runs", runs);
    JsonObject counts = new JsonObject();
    verdicts.forEach((v, n) -> counts.addProperty(v.name(), n));
    o.add("verdicts", counts);
    o.addProperty("cleanRuns", clean.size());
    if (!clean.isEmpty()) {
      o.add("speedup", spread(Comparison::speedup));
      o.add("attainment", spread(Comparison::attainment));
    }
    JsonObject summary = new JsonObject();
    summary.add("repeatSummary", o);
    return new GsonBuilder().disableHtmlEscaping().create().toJson(summary);
  }

  private JsonObject spread(ToDoubleFunction<Comparison> figure) {
    JsonObject o = new JsonObject();
    o.addProperty("median", median(figure));
    o.addProperty("min", min(figure));
    o.addProperty("max", max(figure));
    return o;
  }

  private String counts() {
    List<String> parts = new ArrayList<>();
    verdicts.forEach((v, n) -> parts.add(n + " " + v));
    return String.join(", ", parts);
  }

  private List<Double> values(ToDoubleFunction<Comparison> figure) {
    return clean.stream().map(c -> figure.applyAsDouble(c)).toList();
  }

  double median(ToDoubleFunction<Comparison> figure) {
    return CompareCommand.median(values(figure));
  }

  double min(ToDoubleFunction<Comparison> figure) {
    return Collections.min(values(figure));
  }

  double max(ToDoubleFunction<Comparison> figure) {
    return Collections.max(values(figure));
  }
}
