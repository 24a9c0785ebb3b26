package dev.fibperf.client.cli;

import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfSettings;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where and how to connect; shared by every subcommand. */
final class ConnectionOptions {
  @Option(
      names = "--target",
      defaultValue = "${env:FIBPERF_TARGET:-localhost:50051}",
      description = "Server address host:port (FIBPERF_TARGET, default ${DEFAULT-VALUE}).")
  String target;

  @Option(names = "--tls", description = "Use TLS (trusting the system CAs unless --ca-cert).")
  boolean tls;

  @Option(
      names = "--ca-cert",
      paramLabel = "<pem>",
      description = "PEM CA certificates to trust for TLS; implies --tls.")
  Path caCert;

  @Option(
      names = "--deadline",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "Give up after this long, e.g. 30s or 500ms; the server stops the work.")
  Duration deadline;

  FibPerfSettings settings() {
    FibPerfSettings.Builder b = FibPerfSettings.newBuilder(target).defaultDeadline(deadline);
    if (caCert != null) {
      b.tls(caCert);
    } else if (tls) {
      b.tls();
    }
    return b.build();
  }

  FibPerfClient connect() {
    return FibPerfClient.create(settings());
  }
}
