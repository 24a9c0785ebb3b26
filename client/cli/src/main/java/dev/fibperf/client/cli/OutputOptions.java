package dev.fibperf.client.cli;

import picocli.CommandLine.Option;

/** How to print. */
final class OutputOptions {
  @Option(
      names = "--json",
      description =
          "JSON instead of text, one object per line (the protobuf JSON mapping): each streamed"
              + " event (serial, parallel, profile, compare, watch), the run list (runs), the"
              + " status (health), or the summary (bench).")
  boolean json;
}
