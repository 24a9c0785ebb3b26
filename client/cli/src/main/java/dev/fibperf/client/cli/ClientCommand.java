package dev.fibperf.client.cli;

import dev.fibperf.client.FibPerfClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A subcommand that talks to a server: connection and output options, one client per run. */
abstract class ClientCommand implements Callable<Integer> {
  @Mixin ConnectionOptions connection;
  @Mixin OutputOptions output;
  @Spec CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  Printer printer() {
    return new Printer(out(), output.json, Terminal.isInteractive());
  }

  @Override
  public Integer call() {
    try (FibPerfClient client = connection.connect()) {
      return run(client);
    } finally {
      connection.release();
    }
  }

  abstract int run(FibPerfClient client);
}
