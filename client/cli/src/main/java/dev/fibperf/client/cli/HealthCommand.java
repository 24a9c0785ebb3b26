package dev.fibperf.client.cli;

import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.ServingStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "health",
    description = "Ask grpc.health.v1 whether the server (or one service) is SERVING.",
    mixinStandardHelpOptions = true)
final class HealthCommand extends ClientCommand {
  @Option(
      names = "--service",
      defaultValue = "",
      description = "Service to ask about; empty (default) means the whole server.")
  String service;

  @Override
  int run(FibPerfClient client) {
    ServingStatus status = client.health(service);
    if (output.json) {
      out().printf("{\"status\":\"%s\"}%n", status);
    } else {
      out().println(status);
    }
    return status == ServingStatus.SERVING ? 0 : 1;
  }
}
