package dev.fibperf.client.internal;

import dev.fibperf.client.CompareOptions;
import dev.fibperf.client.ProfileOptions;
import dev.fibperf.client.RunMethod;
import dev.fibperf.client.Workload;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.SerialRequest;
import java.util.Objects;

/** The SDK's calls as the contract's request messages. Not API: may change in any release. */
public final class Requests {
  private Requests() {}

  public static dev.fibperf.proto.v1.WatchRunsRequest watch(long runId, RunMethod method) {
    dev.fibperf.proto.v1.WatchRunsRequest.Builder request =
        dev.fibperf.proto.v1.WatchRunsRequest.newBuilder().setRunId(runId);
    if (method != null) {
      request.setMethod(ProtoMapping.method(method));
    }
    return request.build();
  }

  /** A workload's algorithm, unless it names a kernel: the kernel's name then says it all. */
  private static dev.fibperf.proto.v1.Algorithm algorithm(Workload w) {
    return w.kernel().isEmpty()
        ? ProtoMapping.algorithm(w.algorithm())
        : dev.fibperf.proto.v1.Algorithm.ALGORITHM_UNSPECIFIED;
  }

  public static SerialRequest serial(Workload w) {
    return SerialRequest.newBuilder()
        .addAllNums(w.nums())
        .setAlgorithm(algorithm(w))
        .setKernel(w.kernel())
        .setLabel(w.label())
        .setPool(ProtoMapping.pool(w.pool()))
        .build();
  }

  public static ParallelRequest parallel(Workload w) {
    return ParallelRequest.newBuilder()
        .addAllNums(w.nums())
        .setAlgorithm(algorithm(w))
        .setKernel(w.kernel())
        .setLabel(w.label())
        .setParallelism(w.parallelism())
        .setPool(ProtoMapping.pool(w.pool()))
        .build();
  }

  public static ProfileSerialRequest profileSerial(Workload w, ProfileOptions options) {
    return ProfileSerialRequest.newBuilder()
        .addAllNums(w.nums())
        .setAlgorithm(algorithm(w))
        .setKernel(w.kernel())
        .setLabel(w.label())
        .setOptions(ProtoMapping.options(Objects.requireNonNull(options, "options")))
        .setPool(ProtoMapping.pool(w.pool()))
        .build();
  }

  public static CompareRequest compare(Workload w, CompareOptions options) {
    CompareRequest.Builder b =
        CompareRequest.newBuilder()
            .addAllNums(w.nums())
            .setAlgorithm(algorithm(w))
            .setKernel(w.kernel())
            .setLabel(w.label())
            .setKernel(w.kernel())
            .setLabel(w.label())
            .setParallelism(w.parallelism())
            .setProfile(options.profile())
            .setPool(ProtoMapping.pool(w.pool()))
            .setIsolation(
                options.exclusive()
                    ? dev.fibperf.proto.v1.Isolation.ISOLATION_EXCLUSIVE
                    : dev.fibperf.proto.v1.Isolation.ISOLATION_SHARED)
            .setSchedule(ProtoMapping.schedule(options.schedule()));
    if (options.rounds() > 0) {
      b.setRounds(options.rounds());
    }
    if (options.budget() != null) {
      b.setBudget(ProtoMapping.duration(options.budget()));
    }
    return b.setTargetPrecision(options.targetPrecision())
        .setSeed(options.seed())
        .setSweep(options.sweep())
        .build();
  }
}
