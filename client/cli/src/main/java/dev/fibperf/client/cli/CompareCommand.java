package dev.fibperf.client.cli;

import dev.fibperf.client.Comparison;
import dev.fibperf.client.FibPerfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "compare",
    description = "Run serial, then parallel, and explain the speedup against its bounds.",
    mixinStandardHelpOptions = true)
final class CompareCommand extends ClientCommand {
  @Mixin WorkloadOptions workload;

  @Option(names = "--profile", description = "Profile both phases too.")
  boolean profile;

  @Override
  int run(FibPerfClient client) {
    Printer printer = printer();
    Comparison c =
        (Comparison)
            printer.follow(
                client.compareStream(workload.workload(), profile), workload.taskCount(), 2);
    if (!printer.json()) {
      printer.summary("Serial phase", c.serial());
      printer.summary("Parallel phase", c.parallel());
      c.serialProfile()
          .ifPresent(
              p -> {
                out().println("Serial phase profile");
                printer.profile(p);
              });
      c.parallelProfile()
          .ifPresent(
              p -> {
                out().println("Parallel phase profile");
                printer.profile(p);
              });
      printer.comparison(c);
    }
    return 0;
  }
}
