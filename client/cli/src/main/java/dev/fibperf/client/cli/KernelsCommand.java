package dev.fibperf.client.cli;

import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.KernelInfo;
import java.util.Locale;
import picocli.CommandLine.Command;

@Command(
    name = "kernels",
    description =
        "List the kernels the server runs: its built-in Fibonacci ones and those it loaded with"
            + " --kernels. Run one with --kernel NAME.",
    mixinStandardHelpOptions = true)
final class KernelsCommand extends ClientCommand {
  @Override
  int run(FibPerfClient client) {
    if (output.json) {
      out().println(Printer.toJson(client.listKernelsMessage()));
      return 0;
    }
    for (KernelInfo k : client.listKernels()) {
      out()
          .printf(
              Locale.ROOT,
              "%-20s %-8s sizes %d..%d  %s%n",
              k.name(),
              k.version(),
              k.minSize(),
              k.maxSize(),
              k.description());
      if (!"built-in".equals(k.origin())) {
        out().printf(Locale.ROOT, "%-20s from %s (sha256 %s)%n", "", k.origin(), k.digest());
      }
    }
    return 0;
  }
}
