package dev.fibperf.server.peer;

import dev.fibperf.proto.cluster.v1.ComputeRequest;
import dev.fibperf.proto.cluster.v1.Kernel;
import dev.fibperf.server.compute.Algorithm;
import io.grpc.Metadata;

/** The peer protocol's names for the server's types, and what a peer call says beside its body. */
public final class PeerProtocol {
  private PeerProtocol() {}

  /**
   * The metadata entry that tells a peer which run a task belongs to: {@code <instance>/<run id>},
   * the coordinating server's instance id (so a server that is its own peer knows its own runs) and
   * the run's id there.
   */
  public static final Metadata.Key<String> COORDINATOR_RUN =
      Metadata.Key.of("fibperf-coordinator-run", Metadata.ASCII_STRING_MARSHALLER);

  public static String coordinatorRun(String instance, long runId) {
    return instance + "/" + Long.toUnsignedString(runId);
  }

  /** The instance id in a {@link #COORDINATOR_RUN} value, or "" if it has none. */
  static String instanceOf(String coordinatorRun) {
    int slash = coordinatorRun.lastIndexOf('/');
    return slash < 0 ? "" : coordinatorRun.substring(0, slash);
  }

  /** The run id in a {@link #COORDINATOR_RUN} value, or 0 if it has none. */
  static long runIdOf(String coordinatorRun) {
    try {
      return Long.parseUnsignedLong(coordinatorRun.substring(coordinatorRun.lastIndexOf('/') + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Names {@code algorithm} in a request: by the enum, or by name and digest. */
  public static ComputeRequest.Builder kernel(ComputeRequest.Builder request, Algorithm algorithm) {
    if (algorithm == Algorithm.NAIVE) {
      return request.setKernel(Kernel.KERNEL_NAIVE);
    } else if (algorithm == Algorithm.ITERATIVE) {
      return request.setKernel(Kernel.KERNEL_ITERATIVE);
    } else if (algorithm == Algorithm.FAST_DOUBLING) {
      return request.setKernel(Kernel.KERNEL_FAST_DOUBLING);
    }
    return request.setKernelName(algorithm.kernelName()).setKernelDigest(algorithm.digest());
  }

  /** The algorithm, or null for a kernel this server does not know. */
  public static Algorithm algorithm(Kernel kernel) {
    return switch (kernel) {
      case KERNEL_NAIVE -> Algorithm.NAIVE;
      case KERNEL_ITERATIVE -> Algorithm.ITERATIVE;
      case KERNEL_FAST_DOUBLING -> Algorithm.FAST_DOUBLING;
      case KERNEL_UNSPECIFIED, UNRECOGNIZED -> null;
    };
  }
}
