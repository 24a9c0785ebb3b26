package dev.fibperf.client.cli;

import dev.fibperf.client.FibPerfException;
import java.io.PrintWriter;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code fibperf}: the command line for fibperf servers. Exit codes, as the JDK's {@code jfr} tool
 * has them: 0 ok; 2 bad usage (the message and the usage on stderr); 1 the call failed (its status
 * and message on stderr, no stack trace: an expected failure); 1 for anything else too, as
 * "internal error" with the stack trace, since that is a bug to report.
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
      RunsCommand.class,
      KernelsCommand.class,
      WatchCommand.class,
      HealthCommand.class,
      BenchCommand.class,
      AutoComplete.GenerateCompletion.class,
      CommandLine.HelpCommand.class
    })
public final class FibPerfCli {
  public static final int EXIT_CALL_FAILED = 1;

  /**
   * gRPC's own log, silenced: the CLI reports every failure itself, in one line, and gRPC would
   * print a stack trace first (an unknown host's name resolution, for one). Held so the level
   * sticks: JUL keeps loggers weakly.
   */
  private static final Logger GRPC_LOGS = Logger.getLogger("io.grpc");

  private FibPerfCli() {}

  /** The configured command line; tests set its out/err writers. */
  public static CommandLine commandLine() {
    GRPC_LOGS.setLevel(Level.OFF);
    CommandLine cli = new CommandLine(new FibPerfCli());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (e instanceof UsageException) {
            err.println("fibperf: " + e.getMessage());
            commandLine.usage(err);
            return CommandLine.ExitCode.USAGE;
          }
          if (e instanceof FibPerfException.ServiceUnavailableException
              && e.getMessage().startsWith("UNAVAILABLE: cannot reach ")) {
            err.println("fibperf: " + e.getMessage());
            err.println(
                e.getMessage().contains("Unable to resolve host")
                    ? "fibperf: check the host name given with --target host:port."
                    : "fibperf: is the server running there? Start one with `java -jar"
                        + " fibperf-server.jar`, or name another with --target host:port.");
            return EXIT_CALL_FAILED;
          }
          if (e instanceof FibPerfException) {
            err.println("fibperf: " + e.getMessage());
            return EXIT_CALL_FAILED;
          }
          err.println("fibperf: internal error: " + e);
          e.printStackTrace(err);
          return EXIT_CALL_FAILED;
        });
    return cli;
  }

  /** A value the option parser accepted but the command cannot use: exit 2, with the usage. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
