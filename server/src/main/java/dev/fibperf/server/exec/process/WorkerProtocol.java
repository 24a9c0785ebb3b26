package dev.fibperf.server.exec.process;

import dev.fibperf.proto.worker.v1.Kernel;
import dev.fibperf.proto.worker.v1.MethodSamples;
import dev.fibperf.proto.worker.v1.RunTask;
import dev.fibperf.proto.worker.v1.WorkerProfile;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.KernelCatalog;
import dev.fibperf.server.profile.HotMethod;
import dev.fibperf.server.profile.ProfileReport;
import java.time.Duration;
import java.util.List;

/** Domain values to and from the worker protocol ({@code fibperf.worker.v1}); both sides use it. */
public final class WorkerProtocol {
  private WorkerProtocol() {}

  /** Names {@code algorithm} in a task: a built-in by its enum, a loaded kernel by its name. */
  public static RunTask.Builder kernel(RunTask.Builder task, Algorithm algorithm) {
    if (algorithm == Algorithm.NAIVE) {
      return task.setKernel(Kernel.KERNEL_NAIVE);
    } else if (algorithm == Algorithm.ITERATIVE) {
      return task.setKernel(Kernel.KERNEL_ITERATIVE);
    } else if (algorithm == Algorithm.FAST_DOUBLING) {
      return task.setKernel(Kernel.KERNEL_FAST_DOUBLING);
    }
    return task.setKernelName(algorithm.kernelName());
  }

  /**
   * @throws IllegalArgumentException for a kernel this worker does not know (a newer server, or a
   *     jar the worker was not given)
   */
  public static Algorithm algorithm(RunTask task, KernelCatalog catalog) {
    switch (task.getKernel()) {
      case KERNEL_NAIVE:
        return Algorithm.NAIVE;
      case KERNEL_ITERATIVE:
        return Algorithm.ITERATIVE;
      case KERNEL_FAST_DOUBLING:
        return Algorithm.FAST_DOUBLING;
      case KERNEL_UNSPECIFIED:
      case UNRECOGNIZED:
        break;
    }
    return catalog
        .find(task.getKernelName())
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown kernel " + task.getKernel() + " \"" + task.getKernelName() + "\""));
  }

  /** A worker's whole profile for one session: every method, its stacks and busy time. */
  public static WorkerProfile profile(ProfileReport p) {
    return WorkerProfile.newBuilder()
        .addAllSelf(samples(p.self()))
        .addAllTotal(samples(p.total()))
        .setTotalSamples(p.totalSamples())
        .setGcCount(p.jvmGcCount())
        .setGcPauseNanos(p.jvmGcPause().toNanos())
        .setJitCompilations(p.jvmJitCompilations())
        .putAllCollapsedStacks(p.collapsedStacks())
        .setBusyNanos(p.duration().toNanos())
        .setEffectivePeriodNanos(p.effectiveSamplingPeriod().toNanos())
        .setProfiledMethodCompilations(p.profiledMethodCompilations())
        .setEngine(p.engine())
        .setEngineNote(p.engineNote())
        .build();
  }

  /**
   * One worker's part of a profile, to be merged with the others' by {@link ProfileReport#merge}
   * (which derives rates and spans from the parts' busy time).
   */
  public static ProfileReport report(WorkerProfile w, Duration samplingPeriod) {
    Duration busy = Duration.ofNanos(w.getBusyNanos());
    return new ProfileReport(
        methods(w.getSelfList(), w.getTotalSamples()),
        methods(w.getTotalList(), w.getTotalSamples()),
        w.getTotalSamples(),
        samplingPeriod,
        w.getEffectivePeriodNanos() > 0
            ? Duration.ofNanos(w.getEffectivePeriodNanos())
            : samplingPeriod,
        busy.isZero() ? 0 : w.getTotalSamples() / (busy.toNanos() / 1e9),
        busy,
        w.getGcCount(),
        Duration.ofNanos(w.getGcPauseNanos()),
        w.getJitCompilations(),
        w.getProfiledMethodCompilations(),
        w.getCollapsedStacksMap(),
        w.getEngine().isEmpty() ? ProfileReport.JFR : w.getEngine(),
        w.getEngineNote());
  }

  private static List<MethodSamples> samples(List<HotMethod> methods) {
    return methods.stream()
        .map(m -> MethodSamples.newBuilder().setMethod(m.method()).setSamples(m.samples()).build())
        .toList();
  }

  private static List<HotMethod> methods(List<MethodSamples> samples, long totalSamples) {
    return samples.stream()
        .map(
            m ->
                new HotMethod(
                    m.getMethod(),
                    m.getSamples(),
                    totalSamples == 0 ? 0 : 100.0 * m.getSamples() / totalSamples))
        .toList();
  }
}
