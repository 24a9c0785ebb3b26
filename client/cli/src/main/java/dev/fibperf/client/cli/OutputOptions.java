package dev.fibperf.client.cli;

import picocli.CommandLine.Option;

/** How to print. */
final class OutputOptions {
  @Option(
      names = "--json",
      description = "One JSON object per streamed event (the protobuf JSON mapping), no tables.")
  boolean json;
}
