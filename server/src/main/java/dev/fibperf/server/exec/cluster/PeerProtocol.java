package dev.fibperf.server.exec.cluster;

import dev.fibperf.proto.cluster.v1.Kernel;
import dev.fibperf.server.compute.Algorithm;

/** The peer protocol's names for the server's types. */
final class PeerProtocol {
  private PeerProtocol() {}

  static Kernel kernel(Algorithm algorithm) {
    return switch (algorithm) {
      case NAIVE -> Kernel.KERNEL_NAIVE;
      case ITERATIVE -> Kernel.KERNEL_ITERATIVE;
      case FAST_DOUBLING -> Kernel.KERNEL_FAST_DOUBLING;
    };
  }

  /** The algorithm, or null for a kernel this server does not know. */
  static Algorithm algorithm(Kernel kernel) {
    return switch (kernel) {
      case KERNEL_NAIVE -> Algorithm.NAIVE;
      case KERNEL_ITERATIVE -> Algorithm.ITERATIVE;
      case KERNEL_FAST_DOUBLING -> Algorithm.FAST_DOUBLING;
      case KERNEL_UNSPECIFIED, UNRECOGNIZED -> null;
    };
  }
}
