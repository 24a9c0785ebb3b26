package dev.fibperf.server.profile;

import dev.fibperf.proto.v1.Profile;
import dev.fibperf.proto.worker.v1.WorkerProfile;
import java.time.Duration;
import java.util.List;

/** Profiles to and from their wire forms: the public {@link Profile} and a worker's profile. */
public final class ProfileProtos {
  private ProfileProtos() {}

  public static Profile toProto(ProfileReport p) {
    return Profile.newBuilder()
        .addAllSelf(toProto(p.self()))
        .addAllTotal(toProto(p.total()))
        .setTotalSamples(p.totalSamples())
        .setSamplingPeriod(duration(p.samplingPeriod()))
        .setSamplesPerSecond(p.samplesPerSecond())
        .setDuration(duration(p.duration()))
        .setGcCount(p.gcCount())
        .setGcPause(duration(p.gcPause()))
        .setJitCompilations(p.jitCompilations())
        .build();
  }

  /** A worker's whole profile for one session (every method, collapsed stacks, busy time). */
  public static WorkerProfile toWorkerProto(long session, ProfileReport p) {
    return WorkerProfile.newBuilder()
        .setSessionId(session)
        .setProfile(toProto(p))
        .putAllCollapsedStacks(p.collapsedStacks())
        .setBusy(duration(p.busy()))
        .build();
  }

  public static ProfileReport fromWorkerProto(WorkerProfile w) {
    Profile p = w.getProfile();
    return new ProfileReport(
        fromProto(p.getSelfList()),
        fromProto(p.getTotalList()),
        p.getTotalSamples(),
        duration(p.getSamplingPeriod()),
        p.getSamplesPerSecond(),
        duration(p.getDuration()),
        p.getGcCount(),
        duration(p.getGcPause()),
        p.getJitCompilations(),
        w.getCollapsedStacksMap(),
        duration(w.getBusy()));
  }

  private static List<dev.fibperf.proto.v1.HotMethod> toProto(List<HotMethod> methods) {
    return methods.stream()
        .map(
            m ->
                dev.fibperf.proto.v1.HotMethod.newBuilder()
                    .setMethod(m.method())
                    .setSamples(m.samples())
                    .setPercent(m.percent())
                    .build())
        .toList();
  }

  private static List<HotMethod> fromProto(List<dev.fibperf.proto.v1.HotMethod> methods) {
    return methods.stream()
        .map(m -> new HotMethod(m.getMethod(), m.getSamples(), m.getPercent()))
        .toList();
  }

  private static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(d.getSeconds())
        .setNanos(d.getNano())
        .build();
  }

  private static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }
}
