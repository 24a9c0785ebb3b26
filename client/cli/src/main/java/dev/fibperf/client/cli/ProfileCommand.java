package dev.fibperf.client.cli;

import dev.fibperf.client.ArtifactFormat;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.ProfileOptions;
import dev.fibperf.client.ProfileResult;
import dev.fibperf.client.ProfilingEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "profile",
    description =
        "Run serially under a sampling profiler (async-profiler, or JFR where it cannot run) and"
            + " show this call's hot methods.",
    mixinStandardHelpOptions = true)
final class ProfileCommand extends ClientCommand {
  @Mixin WorkloadOptions workload;

  @Option(names = "--top", defaultValue = "15", description = "Methods per view (default 15).")
  int top;

  @Option(
      names = "--sampling-period",
      converter = DurationConverter.class,
      description =
          "Sampling period, 1ms to 100ms (default: the server picks 4ms for runs long enough to"
              + " get 200 samples at it, finer down to 1ms for shorter ones).")
  Duration samplingPeriod;

  @Option(
      names = "--engine",
      paramLabel = "<engine>",
      description =
          "What takes the samples: ${COMPLETION-CANDIDATES} (default: the server's,"
              + " async-profiler unless it says otherwise).")
  ProfilingEngine engine;

  @Option(
      names = "--snapshot-interval",
      converter = DurationConverter.class,
      description = "Interval of live hot-method snapshots (default 500ms).")
  Duration snapshotInterval;

  @Option(names = "--flamegraph", paramLabel = "<file.html>", description = "Save a flame graph.")
  Path flameGraph;

  @Option(names = "--collapsed", paramLabel = "<file>", description = "Save collapsed stacks.")
  Path collapsed;

  @Option(
      names = "--jfr",
      paramLabel = "<file.jfr>",
      description = "Save the raw recording (the server must allow it: --allow-raw-jfr).")
  Path jfr;

  @Override
  int run(FibPerfClient client) {
    Map<ArtifactFormat, Path> files = new EnumMap<>(ArtifactFormat.class);
    if (flameGraph != null) {
      files.put(ArtifactFormat.FLAMEGRAPH_HTML, flameGraph);
    }
    if (collapsed != null) {
      files.put(ArtifactFormat.COLLAPSED, collapsed);
    }
    if (jfr != null) {
      files.put(ArtifactFormat.JFR, jfr);
    }
    ProfileOptions options;
    try {
      options =
          new ProfileOptions(
              samplingPeriod, top, snapshotInterval, new ArrayList<>(files.keySet()), engine);
    } catch (IllegalArgumentException e) {
      throw new FibPerfCli.UsageException(e.getMessage());
    }
    Printer printer = printer();
    ProfileResult result =
        (ProfileResult)
            printer.follow(
                client.profileSerialStream(workload.workload(), options), workload.taskCount(), 1);
    save(result, files);
    if (!printer.json()) {
      printer.summary("Serial run (profiled)", result.run());
      printer.profile(result.profile());
      files.forEach((format, path) -> out().printf("Saved %s to %s%n", format, path));
    }
    return 0;
  }

  private static void save(ProfileResult result, Map<ArtifactFormat, Path> files) {
    List<ArtifactFormat> missing = new ArrayList<>();
    files.forEach(
        (format, path) -> {
          byte[] data = result.artifacts().get(format);
          if (data == null) {
            missing.add(format);
            return;
          }
          try {
            Files.write(path, data);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
          }
        });
    if (!missing.isEmpty()) {
      throw new IllegalStateException("server sent no " + missing);
    }
  }
}
