package dev.fibperf.server.launch;

import picocli.CommandLine.Option;

/** Where the server listens and how it logs. */
public final class HttpOptions {
  @Option(
      names = {"--http-port", "--metrics-port"},
      defaultValue = "${env:FIBPERF_HTTP_PORT:-${env:FIBPERF_METRICS_PORT:--1}}",
      description =
          "Serve the live dashboard at http://0.0.0.0:<port>/, the run list at /api/runs, run"
              + " events at /events and Prometheus metrics at /metrics; -1 (default) = off, 0 = a"
              + " free port (FIBPERF_HTTP_PORT, or the old FIBPERF_METRICS_PORT; --metrics-port is the old name).")
  int httpPort;

  @Option(
      names = "--bind",
      paramLabel = "<address>",
      defaultValue = "${env:FIBPERF_BIND:-0.0.0.0}",
      description =
          "Address both ports listen on: 127.0.0.1 for this host only, 0.0.0.0 (default) for"
              + " every interface (FIBPERF_BIND).")
  String bind;

  @Option(
      names = "--log-format",
      paramLabel = "text|json",
      defaultValue = "${env:FIBPERF_LOG_FORMAT:-text}",
      converter = Converters.LogFormatOption.class,
      description =
          "Log lines for people (text, default) or one ECS JSON object per line for log shippers"
              + " (json; FIBPERF_LOG_FORMAT). Times are UTC either way.")
  LogFormat.Kind logFormat;

  public int httpPort() {
    return httpPort;
  }

  public String bind() {
    return bind;
  }

  public LogFormat.Kind logFormat() {
    return logFormat;
  }
}
