package dev.fibperf.client.cli;

import dev.fibperf.client.FibPerfException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code fibperf}: the command line for fibperf servers. Exit codes: 0 ok, 1 the call failed (the
 * status and message on stderr), 2 bad usage (the message and usage on stderr).
 */
@Command(
    name = "fibperf",
    mixinStandardHelpOptions = true,
    version = "fibperf 0.1.0",
    description = "Profile, parallelise and measure Fibonacci work on a fibperf server.",
    subcommands = {
      DemoCommand.class,
      SerialCommand.class,
      ParallelCommand.class,
      ProfileCommand.class,
      CompareCommand.class,
      HealthCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class FibPerfCli {
  public static final int EXIT_CALL_FAILED = 1;

  private FibPerfCli() {}

  /** The configured command line; tests set its out/err writers. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new FibPerfCli());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (e instanceof IllegalArgumentException) {
            err.println("fibperf: " + e.getMessage());
            commandLine.usage(err);
            return CommandLine.ExitCode.USAGE;
          }
          err.println("fibperf: " + describe(e));
          return EXIT_CALL_FAILED;
        });
    return cli;
  }

  private static String describe(Exception e) {
    if (e instanceof FibPerfException) {
      return e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
