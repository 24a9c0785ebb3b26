package dev.fibperf.server.service;

import com.google.protobuf.Timestamp;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.Profile;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.proto.v1.TaskFinished;
import dev.fibperf.proto.v1.TaskStarted;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.SpeedupAnalysis;
import dev.fibperf.server.exec.TaskResult;
import dev.fibperf.server.exec.TaskStart;
import dev.fibperf.server.profile.ProfileProtos;
import dev.fibperf.server.profile.ProfileReport;
import java.time.Duration;
import java.time.Instant;

/** Domain values to their {@code fibperf.v1} messages. */
final class ProtoMapper {
  private ProtoMapper() {}

  static TaskStarted started(TaskStart s) {
    return TaskStarted.newBuilder()
        .setIndex(s.index())
        .setN(s.n())
        .setWorker(s.worker())
        .setStartTime(timestamp(s.startTime()))
        .build();
  }

  static TaskFinished finished(TaskResult r) {
    return TaskFinished.newBuilder()
        .setIndex(r.index())
        .setN(r.n())
        .setValue(r.value().toString())
        .setDuration(duration(r.duration()))
        .setWorker(r.worker())
        .setStartTime(timestamp(r.startTime()))
        .build();
  }

  static RunSummary summary(RunResult run) {
    RunSummary.Builder b =
        RunSummary.newBuilder()
            .setStartTime(timestamp(run.startTime()))
            .setEndTime(timestamp(run.endTime()))
            .setWallDuration(duration(run.wall()))
            .setTaskTime(duration(run.taskTime()))
            .setWorkersUsed(run.workersUsed())
            .setParallelism(run.parallelism())
            .setPoolCold(run.poolCold())
            .setAlgorithm(RequestValidator.algorithm(run.algorithm()))
            .setPool(RequestValidator.pool(run.pool()))
            .setDispatchCostPerTask(duration(run.dispatchCostPerTask()));
    for (TaskResult r : run.results()) {
      b.addResults(finished(r));
    }
    return b.build();
  }

  static Comparison comparison(RunResult serial, RunResult parallel, SpeedupAnalysis a) {
    return Comparison.newBuilder()
        .setSerial(summary(serial))
        .setParallel(summary(parallel))
        .setSpeedup(a.speedup())
        .setEfficiency(a.efficiency())
        .setWorkBound(duration(a.workBound()))
        .setScheduleBound(duration(a.scheduleBound()))
        .setWorkBoundSpeedup(a.workBoundSpeedup())
        .setScheduleBoundSpeedup(a.scheduleBoundSpeedup())
        .setScheduleAttainment(a.scheduleAttainment())
        .addAllNotes(a.notes())
        .build();
  }

  static Profile profile(ProfileReport p) {
    return ProfileProtos.toProto(p);
  }

  static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(d.getSeconds())
        .setNanos(d.getNano())
        .build();
  }

  static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }
}
