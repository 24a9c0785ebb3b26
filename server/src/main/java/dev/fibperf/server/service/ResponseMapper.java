package dev.fibperf.server.service;

import com.google.protobuf.ByteString;
import dev.fibperf.proto.v1.ArtifactChunk;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.CoreWaitRemoved;
import dev.fibperf.proto.v1.CoreWaitSource;
import dev.fibperf.proto.v1.HotMethod;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.Profile;
import dev.fibperf.proto.v1.ProfileDiff;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import dev.fibperf.proto.v1.ProfileSnapshot;
import dev.fibperf.proto.v1.ProfileSummary;
import dev.fibperf.proto.v1.RoundResult;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.proto.v1.ScalingPoint;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.proto.v1.SpeedupEstimate;
import dev.fibperf.proto.v1.TaskFinished;
import dev.fibperf.proto.v1.TaskStarted;
import dev.fibperf.server.analysis.AcrossCompares;
import dev.fibperf.server.analysis.NoteText;
import dev.fibperf.server.analysis.RatioInterval;
import dev.fibperf.server.analysis.RoundsAnalysis;
import dev.fibperf.server.analysis.SpeedupAnalysis;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.TaskResult;
import dev.fibperf.server.exec.TaskStart;
import dev.fibperf.server.profile.Artifacts;
import dev.fibperf.server.profile.ProfileReport;
import dev.fibperf.server.run.Phase;
import dev.fibperf.server.run.RunEvent;
import dev.fibperf.server.run.RunOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Domain events and outcomes to each RPC's {@code fibperf.v1} responses: what each stream carries,
 * in one place per RPC.
 */
final class ResponseMapper {
  private ResponseMapper() {}

  /** Artifacts are streamed in chunks this size, far below gRPC's 4 MiB default message limit. */
  static final int ARTIFACT_CHUNK_BYTES = 256 * 1024;

  /** How one RPC's stream carries a run. */
  interface Responses<T> {
    /** Sends what {@code event} means to this stream, if anything. */
    void onEvent(RunEvent event, Consumer<T> send);

    /** The stream's final message. */
    T last(RunOutcome outcome);
  }

  static final Responses<SerialResponse> SERIAL =
      new Responses<>() {
        @Override
        public void onEvent(RunEvent event, Consumer<SerialResponse> send) {
          tasks(
              event,
              send,
              s -> SerialResponse.newBuilder().setTaskStarted(s).build(),
              f -> SerialResponse.newBuilder().setTaskFinished(f).build());
        }

        @Override
        public SerialResponse last(RunOutcome outcome) {
          return SerialResponse.newBuilder()
              .setSummary(summary(outcome.only().result(), outcome.runId()))
              .build();
        }
      };

  static final Responses<ParallelResponse> PARALLEL =
      new Responses<>() {
        @Override
        public void onEvent(RunEvent event, Consumer<ParallelResponse> send) {
          tasks(
              event,
              send,
              s -> ParallelResponse.newBuilder().setTaskStarted(s).build(),
              f -> ParallelResponse.newBuilder().setTaskFinished(f).build());
        }

        @Override
        public ParallelResponse last(RunOutcome outcome) {
          return ParallelResponse.newBuilder()
              .setSummary(summary(outcome.only().result(), outcome.runId()))
              .build();
        }
      };

  /** Sends a task event as the RPC's message; other events are not this helper's. */
  private static <T> void tasks(
      RunEvent event,
      Consumer<T> send,
      Function<TaskStarted, T> asStarted,
      Function<TaskFinished, T> asFinished) {
    if (event instanceof RunEvent.TaskStarted e) {
      send.accept(asStarted.apply(started(e.start())));
    } else if (event instanceof RunEvent.TaskFinished e) {
      send.accept(asFinished.apply(finished(e.result())));
    }
  }

  static final Responses<ProfileSerialResponse> PROFILE_SERIAL =
      new Responses<>() {
        @Override
        public void onEvent(RunEvent event, Consumer<ProfileSerialResponse> send) {
          tasks(
              event,
              send,
              s -> ProfileSerialResponse.newBuilder().setTaskStarted(s).build(),
              f -> ProfileSerialResponse.newBuilder().setTaskFinished(f).build());
          if (event instanceof RunEvent.ProfileSnapshot s) {
            send.accept(
                ProfileSerialResponse.newBuilder()
                    .setSnapshot(
                        ProfileSnapshot.newBuilder()
                            .setProfile(profile(s.profile()))
                            .setTasksDone(s.tasksDone())
                            .setTasksTotal(s.tasksTotal()))
                    .build());
          } else if (event instanceof RunEvent.ArtifactRendered a) {
            for (ArtifactChunk chunk : chunks(Protos.format(a.format()), a.data())) {
              send.accept(ProfileSerialResponse.newBuilder().setArtifact(chunk).build());
            }
          }
        }

        @Override
        public ProfileSerialResponse last(RunOutcome outcome) {
          RunOutcome.PhaseOutcome only = outcome.only();
          return ProfileSerialResponse.newBuilder()
              .setSummary(
                  ProfileSummary.newBuilder()
                      .setRun(summary(only.result(), outcome.runId()))
                      .setProfile(profile(only.profile())))
              .build();
        }
      };

  static final Responses<CompareResponse> COMPARE =
      new Responses<>() {
        @Override
        public void onEvent(RunEvent event, Consumer<CompareResponse> send) {
          if (event instanceof RunEvent.TaskStarted s) {
            send.accept(phase(s.phase(), s.round()).setTaskStarted(started(s.start())).build());
          } else if (event instanceof RunEvent.TaskFinished f) {
            send.accept(phase(f.phase(), f.round()).setTaskFinished(finished(f.result())).build());
          } else if (event instanceof RunEvent.PhaseCompleted p) {
            send.accept(
                phase(p.phase(), p.round())
                    .setPhaseSummary(summary(p.result(), p.runId()))
                    .build());
          } else if (event instanceof RunEvent.RoundCompleted r) {
            send.accept(
                CompareResponse.newBuilder()
                    .setRound(r.round().number())
                    .setRoundResult(round(r.round(), r.runId()))
                    .build());
          }
        }

        private CompareResponse.Builder phase(Phase phase, int round) {
          return CompareResponse.newBuilder().setPhase(Protos.phase(phase)).setRound(round);
        }

        @Override
        public CompareResponse last(RunOutcome outcome) {
          return CompareResponse.newBuilder().setComparison(comparison(outcome, true)).build();
        }
      };

  /**
   * One round of a Compare, its phases without their per-task lists: those went out in the round's
   * phase summaries.
   */
  static RoundResult round(RoundsAnalysis.Round round, long runId) {
    RunSummary serial = summary(round.serial(), runId).toBuilder().clearResults().build();
    RunSummary parallel = summary(round.parallel(), runId).toBuilder().clearResults().build();
    RoundResult.Builder b =
        RoundResult.newBuilder()
            .setRound(round.number())
            .setParallelFirst(round.parallelFirst())
            .setSerial(serial)
            .setParallel(parallel)
            .setSpeedup(round.analysis().speedup())
            .setAttainment(round.analysis().attainment())
            .setOptimalMakespan(Protos.duration(round.analysis().optimalMakespan()))
            .setVerdict(Protos.verdict(round.analysis().verdict()))
            .setUsed(round.used());
    if (round.exclusion() != null) {
      b.setExclusion(Protos.note(round.exclusion()));
    }
    return b.build();
  }

  /** The estimate over a Compare's rounds. */
  static SpeedupEstimate estimate(RoundsAnalysis rounds) {
    RatioInterval speedup = rounds.speedup();
    RatioInterval attainment = rounds.attainment();
    List<RoundsAnalysis.Round> all = rounds.rounds();
    int used = (int) all.stream().filter(RoundsAnalysis.Round::used).count();
    SpeedupEstimate.Builder b =
        SpeedupEstimate.newBuilder()
            .setSpeedup(finite(speedup.estimate()))
            .setAttainment(finite(attainment.estimate()))
            .setConfidence(RoundsAnalysis.CONFIDENCE)
            .setRounds(all.size())
            .setRoundsUsed(used)
            .setRoundsExcluded(all.size() - used)
            .setExclusions(RoundsAnalysis.causes(all))
            .setTargetPrecision(rounds.policy().targetPrecision())
            .setStopReason(
                dev.fibperf.proto.v1.StopReason.valueOf("STOP_REASON_" + rounds.stop().name()))
            .setSeed(rounds.policy().seed())
            .setParallelCoreWaitShare(RoundsAnalysis.meanParallelCoreWaitShare(all))
            .setRoundsDuration(
                Protos.duration(
                    java.time.Duration.between(first(all.get(0)), last(all.get(all.size() - 1)))));
    if (speedup.hasInterval()) {
      b.setSpeedupLow(speedup.low())
          .setSpeedupHigh(speedup.high())
          .setRelativeHalfWidth(speedup.relativeHalfWidth());
    }
    if (attainment.hasInterval()) {
      b.setAttainmentLow(attainment.low()).setAttainmentHigh(attainment.high());
    }
    RatioInterval free = rounds.coreWaitRemoved();
    if (free != null) {
      CoreWaitRemoved.Builder removed =
          CoreWaitRemoved.newBuilder()
              .setSpeedup(finite(free.estimate()))
              .setRoundsUsed(free.pairs());
      if (free.hasInterval()) {
        removed
            .setSpeedupLow(free.low())
            .setSpeedupHigh(free.high())
            .setRelativeHalfWidth(free.relativeHalfWidth());
      }
      b.setCoreWaitRemoved(removed);
    }
    return b.build();
  }

  private static double finite(double value) {
    return Double.isFinite(value) ? value : 0;
  }

  private static java.time.Instant first(RoundsAnalysis.Round r) {
    return r.parallelFirst() ? r.parallel().startTime() : r.serial().startTime();
  }

  private static java.time.Instant last(RoundsAnalysis.Round r) {
    return r.parallelFirst() ? r.serial().endTime() : r.parallel().endTime();
  }

  /**
   * A Compare's comparison.
   *
   * @param withProfiles whether to include the phases' profiles (a run list leaves them out)
   */
  static Comparison comparison(RunOutcome outcome, boolean withProfiles) {
    RunOutcome.PhaseOutcome serial = outcome.phase(Phase.SERIAL);
    RunOutcome.PhaseOutcome parallel = outcome.phase(Phase.PARALLEL);
    SpeedupAnalysis a = outcome.analysis();
    Comparison.Builder c =
        Comparison.newBuilder()
            .setRunId(outcome.runId())
            .setSerial(summary(serial.result(), outcome.runId()))
            .setParallel(summary(parallel.result(), outcome.runId()))
            .setSpeedup(a.speedup())
            .setEfficiency(a.efficiency())
            .setWorkers(a.workers())
            .setLowerBound(Protos.duration(a.lowerBound()))
            .setOptimalMakespan(Protos.duration(a.optimalMakespan()))
            .setOptimalProven(a.optimalProven())
            .setOptimalGap(a.optimalGap())
            .setLargestFirstMakespan(Protos.duration(a.largestFirstMakespan()))
            .setSchedule(Protos.schedule(a.schedule()))
            .setPlannedMakespan(Protos.duration(a.plannedMakespan()))
            .setIdealSpeedup(a.idealSpeedup())
            .setAttainment(a.attainment())
            .setVerdict(Protos.verdict(a.verdict()))
            .addAllFindings(a.notes().stream().map(Protos::note).toList())
            .addAllNotes(a.notes().stream().map(NoteText::render).toList())
            .setReading(Protos.note(a.reading()))
            .setIsolation(Protos.isolation(outcome.spec().exclusive()))
            .setIsolationWait(Protos.duration(outcome.isolationWait()))
            .setWarmup(Protos.duration(outcome.warmup()));
    RoundsAnalysis rounds = outcome.rounds();
    if (rounds != null) {
      SpeedupEstimate.Builder estimate = estimate(rounds).toBuilder();
      AcrossCompares across = outcome.acrossCompares();
      if (across != null) {
        estimate.setAcrossCompares(
            dev.fibperf.proto.v1.AcrossCompares.newBuilder()
                .setCompares(across.compares())
                .setLow(across.low())
                .setHigh(across.high())
                .setSpread(across.spread())
                .setTypical(across.typical()));
      }
      c.setEstimate(estimate)
          .setVerdict(Protos.verdict(rounds.verdict()))
          .setReading(Protos.note(rounds.reading()))
          .setRepresentativeRound(rounds.representative() + 1);
      // The estimate's notes first: they are about every round.
      List<dev.fibperf.server.analysis.Note> notes = new ArrayList<>(rounds.notes());
      notes.addAll(a.notes());
      c.clearFindings()
          .addAllFindings(notes.stream().map(Protos::note).toList())
          .clearNotes()
          .addAllNotes(notes.stream().map(NoteText::render).toList());
      for (RoundsAnalysis.Round round : rounds.rounds()) {
        c.addRounds(round(round, outcome.runId()));
      }
      for (RoundsAnalysis.ScalingPoint point : rounds.scaling()) {
        ScalingPoint.Builder p =
            ScalingPoint.newBuilder()
                .setWorkers(point.workers())
                .setSpeedup(finite(point.speedup().estimate()))
                .setEfficiency(finite(point.speedup().estimate() / point.workers()))
                .setSerialFraction(finite(point.serialFraction()))
                .setRoundsUsed(point.speedup().pairs());
        if (point.speedup().hasInterval()) {
          p.setSpeedupLow(point.speedup().low()).setSpeedupHigh(point.speedup().high());
        }
        c.addScaling(p);
      }
    }
    if (withProfiles && serial.profile() != null) {
      c.setSerialProfile(profile(serial.profile()));
    }
    if (withProfiles && parallel.profile() != null) {
      c.setParallelProfile(profile(parallel.profile()));
    }
    if (withProfiles && serial.profile() != null && parallel.profile() != null) {
      c.setProfileDiff(
          ProfileDiff.newBuilder()
              .setCollapsedPairs(
                  ByteString.copyFrom(
                      Artifacts.diffCollapsed(serial.profile(), parallel.profile())))
              .setFlameGraphHtml(
                  ByteString.copyFrom(
                      Artifacts.diffFlameGraphHtml(
                          serial.profile(),
                          parallel.profile(),
                          "fibperf run " + outcome.runId() + ": serial to parallel"))));
    }
    return c.build();
  }

  static TaskStarted started(TaskStart s) {
    return TaskStarted.newBuilder()
        .setIndex(s.index())
        .setN(s.n())
        .setWorker(s.worker())
        .setStartTime(Protos.timestamp(s.startTime()))
        .build();
  }

  static TaskFinished finished(TaskResult r) {
    TaskFinished.Builder b =
        TaskFinished.newBuilder()
            .setIndex(r.index())
            .setN(r.n())
            .setValue(r.value())
            .setDuration(Protos.duration(r.duration()))
            .setWorker(r.worker())
            .setStartTime(Protos.timestamp(r.startTime()))
            .setQueueWait(Protos.duration(r.queueWait()))
            .setHandoff(Protos.duration(r.handoff()))
            .setAttempts(r.attempts())
            .addAllFailedAttempts(r.failedAttempts());
    if (r.cpuTime() != null) {
      b.setCpuTime(Protos.duration(r.cpuTime()));
    }
    if (r.coreWait() != null) {
      b.setCoreWait(Protos.duration(r.coreWait()));
    }
    if (r.wakeupCoreWait() != null) {
      b.setWakeupCoreWait(Protos.duration(r.wakeupCoreWait()));
    }
    if (r.handoffCoreWait() != null) {
      b.setHandoffCoreWait(Protos.duration(r.handoffCoreWait()));
    }
    return b.build();
  }

  static RunSummary summary(RunResult run, long runId) {
    RunSummary.Builder b =
        RunSummary.newBuilder()
            .setRunId(runId)
            .setStartTime(Protos.timestamp(run.startTime()))
            .setEndTime(Protos.timestamp(run.endTime()))
            .setWallDuration(Protos.duration(run.wall()))
            .setTaskTime(Protos.duration(run.taskTime()))
            .setWorkersUsed(run.workersUsed())
            .setParallelism(run.parallelism())
            .setPoolCold(run.poolCold())
            .setAlgorithm(Protos.algorithm(run.algorithm()))
            .setKernel(run.algorithm().kernelName())
            .setPool(Protos.pool(run.pool()))
            .setContended(run.contended())
            .setPoolStartup(Protos.duration(run.poolStartup()))
            .setQueueWait(Protos.duration(run.queueWait()))
            .setHandoffPerTask(Protos.duration(run.handoffPerTask()))
            .setTaskQueueWait(Protos.duration(run.taskQueueWait()))
            .setTaskQueueWaitForWorkers(Protos.duration(run.taskQueueWaitForWorkers()))
            .setTasksRerun(run.tasksRerun())
            .setCoreWait(Protos.duration(run.coreWait()))
            .setCoreWaitShare(run.coreWaitShare())
            .setFreeWallDuration(Protos.duration(run.freeWall()))
            .setDispatchCoreWait(Protos.duration(run.dispatchCoreWait()))
            .setCoreWaitSource(
                switch (run.coreWaitSource()) {
                  case SCHEDSTAT -> CoreWaitSource.CORE_WAIT_SOURCE_SCHEDSTAT;
                  case ELAPSED_MINUS_CPU -> CoreWaitSource.CORE_WAIT_SOURCE_ELAPSED_MINUS_CPU;
                  case NONE -> CoreWaitSource.CORE_WAIT_SOURCE_NONE;
                });
    if (run.cpuTime() != null) {
      b.setCpuTime(Protos.duration(run.cpuTime()));
    }
    if (!Double.isNaN(run.cpuShare())) {
      b.setCpuShare(run.cpuShare());
    }
    for (TaskResult r : run.results()) {
      b.addResults(finished(r));
    }
    if (run.kernelCache() != null) {
      b.setKernelCache(
          dev.fibperf.proto.v1.KernelCache.newBuilder()
              .setHits(run.kernelCache().hits())
              .setMisses(run.kernelCache().misses())
              .setHitRate(run.kernelCache().hitRate())
              .setEntries(run.kernelCache().entries())
              .setCapacity(run.kernelCache().capacity()));
    }
    return b.build();
  }

  static Profile profile(ProfileReport p) {
    return Profile.newBuilder()
        .addAllSelf(methods(p.self()))
        .addAllTotal(methods(p.total()))
        .setTotalSamples(p.totalSamples())
        .setSamplingPeriod(Protos.duration(p.samplingPeriod()))
        .setSamplesPerSecond(p.samplesPerSecond())
        .setDuration(Protos.duration(p.duration()))
        .setEngine(p.engine())
        .setEngineNote(p.engineNote())
        .setJvmGcCount(p.jvmGcCount())
        .setJvmGcPause(Protos.duration(p.jvmGcPause()))
        .setJvmJitCompilations(p.jvmJitCompilations())
        .setEffectiveSamplingPeriod(Protos.duration(p.effectiveSamplingPeriod()))
        .setProfiledMethodCompilations(p.profiledMethodCompilations())
        .build();
  }

  private static List<HotMethod> methods(List<dev.fibperf.server.profile.HotMethod> methods) {
    return methods.stream()
        .map(
            m ->
                HotMethod.newBuilder()
                    .setMethod(m.method())
                    .setSamples(m.samples())
                    .setPercent(m.percent())
                    .build())
        .toList();
  }

  /** {@code data} in chunks of at most {@link #ARTIFACT_CHUNK_BYTES}; one chunk if empty. */
  static List<ArtifactChunk> chunks(ArtifactChunk.Format format, byte[] data) {
    List<ArtifactChunk> chunks = new ArrayList<>();
    int offset = 0;
    do {
      int length = Math.min(ARTIFACT_CHUNK_BYTES, data.length - offset);
      chunks.add(
          ArtifactChunk.newBuilder()
              .setFormat(format)
              .setData(ByteString.copyFrom(data, offset, length))
              .setLast(offset + length == data.length)
              .build());
      offset += length;
    } while (offset < data.length);
    return chunks;
  }
}
