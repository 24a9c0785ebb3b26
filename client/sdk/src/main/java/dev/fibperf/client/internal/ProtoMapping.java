package dev.fibperf.client.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.fibperf.client.Algorithm;
import dev.fibperf.client.ArtifactChunk;
import dev.fibperf.client.ArtifactFormat;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.FibEvent;
import dev.fibperf.client.HistoryStatus;
import dev.fibperf.client.HotMethod;
import dev.fibperf.client.KernelCache;
import dev.fibperf.client.KernelInfo;
import dev.fibperf.client.Note;
import dev.fibperf.client.NoteKind;
import dev.fibperf.client.Phase;
import dev.fibperf.client.PhaseCompleted;
import dev.fibperf.client.PoolKind;
import dev.fibperf.client.Profile;
import dev.fibperf.client.ProfileDiff;
import dev.fibperf.client.ProfileOptions;
import dev.fibperf.client.ProfileResult;
import dev.fibperf.client.ProfileSnapshot;
import dev.fibperf.client.ProfilingEngine;
import dev.fibperf.client.RoundResult;
import dev.fibperf.client.RunChange;
import dev.fibperf.client.RunInfo;
import dev.fibperf.client.RunList;
import dev.fibperf.client.RunMethod;
import dev.fibperf.client.RunQuery;
import dev.fibperf.client.RunState;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.RunWatchEvent;
import dev.fibperf.client.ScalingPoint;
import dev.fibperf.client.Schedule;
import dev.fibperf.client.SpeedupEstimate;
import dev.fibperf.client.TaskFinished;
import dev.fibperf.client.TaskStarted;
import dev.fibperf.client.Verdict;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import dev.fibperf.proto.v1.SerialResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Wire messages to SDK values, and SDK requests to wire messages: exhaustive enum switches (a new
 * constant fails here, not by name at run time) and time through protobuf-java-util.
 */
public final class ProtoMapping {
  private ProtoMapping() {}

  public static dev.fibperf.proto.v1.Algorithm algorithm(Algorithm a) {
    switch (a) {
      case NAIVE:
        return dev.fibperf.proto.v1.Algorithm.ALGORITHM_NAIVE;
      case ITERATIVE:
        return dev.fibperf.proto.v1.Algorithm.ALGORITHM_ITERATIVE;
      case FAST_DOUBLING:
        return dev.fibperf.proto.v1.Algorithm.ALGORITHM_FAST_DOUBLING;
    }
    throw new AssertionError(a);
  }

  public static Algorithm algorithm(dev.fibperf.proto.v1.Algorithm a) {
    switch (a) {
      case ALGORITHM_UNSPECIFIED:
      case ALGORITHM_NAIVE:
        return Algorithm.NAIVE;
      case ALGORITHM_ITERATIVE:
        return Algorithm.ITERATIVE;
      case ALGORITHM_FAST_DOUBLING:
        return Algorithm.FAST_DOUBLING;
      case UNRECOGNIZED:
        break;
    }
    throw unknown(a);
  }

  public static dev.fibperf.proto.v1.PoolKind pool(PoolKind p) {
    switch (p) {
      case THREADS:
        return dev.fibperf.proto.v1.PoolKind.POOL_KIND_THREADS;
      case PROCESSES:
        return dev.fibperf.proto.v1.PoolKind.POOL_KIND_PROCESSES;
      case CLUSTER:
        return dev.fibperf.proto.v1.PoolKind.POOL_KIND_CLUSTER;
    }
    throw new AssertionError(p);
  }

  public static PoolKind pool(dev.fibperf.proto.v1.PoolKind p) {
    switch (p) {
      case POOL_KIND_UNSPECIFIED:
      case POOL_KIND_THREADS:
        return PoolKind.THREADS;
      case POOL_KIND_PROCESSES:
        return PoolKind.PROCESSES;
      case POOL_KIND_CLUSTER:
        return PoolKind.CLUSTER;
      case UNRECOGNIZED:
        break;
    }
    throw unknown(p);
  }

  public static dev.fibperf.proto.v1.ArtifactChunk.Format format(ArtifactFormat f) {
    switch (f) {
      case COLLAPSED:
        return dev.fibperf.proto.v1.ArtifactChunk.Format.FORMAT_COLLAPSED;
      case FLAMEGRAPH_HTML:
        return dev.fibperf.proto.v1.ArtifactChunk.Format.FORMAT_FLAMEGRAPH_HTML;
      case JFR:
        return dev.fibperf.proto.v1.ArtifactChunk.Format.FORMAT_JFR;
    }
    throw new AssertionError(f);
  }

  public static ArtifactFormat format(dev.fibperf.proto.v1.ArtifactChunk.Format f) {
    switch (f) {
      case FORMAT_COLLAPSED:
        return ArtifactFormat.COLLAPSED;
      case FORMAT_FLAMEGRAPH_HTML:
        return ArtifactFormat.FLAMEGRAPH_HTML;
      case FORMAT_JFR:
        return ArtifactFormat.JFR;
      case FORMAT_UNSPECIFIED:
      case UNRECOGNIZED:
        break;
    }
    throw unknown(f);
  }

  public static dev.fibperf.proto.v1.Schedule schedule(Schedule s) {
    switch (s) {
      case MEASURED_OPTIMAL:
        return dev.fibperf.proto.v1.Schedule.SCHEDULE_MEASURED_OPTIMAL;
      case LARGEST_FIRST:
        return dev.fibperf.proto.v1.Schedule.SCHEDULE_LARGEST_FIRST;
    }
    throw new AssertionError(s);
  }

  public static Schedule schedule(dev.fibperf.proto.v1.Schedule s) {
    switch (s) {
      case SCHEDULE_UNSPECIFIED:
      case SCHEDULE_MEASURED_OPTIMAL:
        return Schedule.MEASURED_OPTIMAL;
      case SCHEDULE_LARGEST_FIRST:
        return Schedule.LARGEST_FIRST;
      case UNRECOGNIZED:
        break;
    }
    throw unknown(s);
  }

  public static Verdict verdict(dev.fibperf.proto.v1.Verdict v) {
    switch (v) {
      case VERDICT_CLEAN:
        return Verdict.CLEAN;
      case VERDICT_CONTENDED:
        return Verdict.CONTENDED;
      case VERDICT_UNSTEADY:
        return Verdict.UNSTEADY;
      case VERDICT_IMPLAUSIBLE:
        return Verdict.IMPLAUSIBLE;
      case VERDICT_WORKER_LOST:
        return Verdict.WORKER_LOST;
      case VERDICT_NOISY:
        return Verdict.NOISY;
      case VERDICT_UNSPECIFIED:
      case UNRECOGNIZED:
        break;
    }
    return Verdict.UNKNOWN;
  }

  public static dev.fibperf.proto.v1.ProfileOptions options(ProfileOptions o) {
    dev.fibperf.proto.v1.ProfileOptions.Builder b =
        dev.fibperf.proto.v1.ProfileOptions.newBuilder().setTop(o.top());
    if (o.samplingPeriod() != null) {
      b.setSamplingPeriod(duration(o.samplingPeriod()));
    }
    if (o.snapshotInterval() != null) {
      b.setSnapshotInterval(duration(o.snapshotInterval()));
    }
    for (ArtifactFormat f : o.artifacts()) {
      b.addArtifacts(format(f));
    }
    if (o.engine() != null) {
      b.setEngine(
          o.engine() == ProfilingEngine.JFR
              ? dev.fibperf.proto.v1.ProfilingEngine.PROFILING_ENGINE_JFR
              : dev.fibperf.proto.v1.ProfilingEngine.PROFILING_ENGINE_ASYNC_PROFILER);
    }
    return b.build();
  }

  public static TaskStarted started(Phase phase, dev.fibperf.proto.v1.TaskStarted s) {
    return new TaskStarted(phase, s.getIndex(), s.getN(), s.getWorker(), instant(s.getStartTime()));
  }

  public static TaskFinished finished(Phase phase, dev.fibperf.proto.v1.TaskFinished f) {
    return new TaskFinished(
        phase,
        f.getIndex(),
        f.getN(),
        f.getValue(),
        duration(f.getDuration()),
        f.hasCpuTime() ? Optional.of(duration(f.getCpuTime())) : Optional.empty(),
        f.getWorker(),
        instant(f.getStartTime()),
        duration(f.getQueueWait()),
        duration(f.getHandoff()),
        f.getFailedAttemptsList(),
        f.hasCoreWait() ? Optional.of(duration(f.getCoreWait())) : Optional.empty(),
        f.hasWakeupCoreWait() ? Optional.of(duration(f.getWakeupCoreWait())) : Optional.empty(),
        f.hasHandoffCoreWait() ? Optional.of(duration(f.getHandoffCoreWait())) : Optional.empty());
  }

  public static RunSummary summary(Phase phase, dev.fibperf.proto.v1.RunSummary s) {
    List<TaskFinished> results = new ArrayList<>();
    for (dev.fibperf.proto.v1.TaskFinished f : s.getResultsList()) {
      results.add(finished(phase, f));
    }
    return new RunSummary(
        results,
        instant(s.getStartTime()),
        instant(s.getEndTime()),
        duration(s.getWallDuration()),
        duration(s.getTaskTime()),
        s.hasCpuTime() ? Optional.of(duration(s.getCpuTime())) : Optional.empty(),
        s.getCpuShare(),
        s.getContended(),
        s.getWorkersUsed(),
        s.getParallelism(),
        s.getPoolCold(),
        algorithm(s.getAlgorithm()),
        pool(s.getPool()),
        duration(s.getPoolStartup()),
        duration(s.getQueueWait()),
        duration(s.getHandoffPerTask()),
        duration(s.getTaskQueueWait()),
        s.getRunId(),
        s.getTasksRerun(),
        duration(s.getCoreWait()),
        s.getCoreWaitShare(),
        duration(s.getDispatchCoreWait()),
        s.getCoreWaitSource().name().replace("CORE_WAIT_SOURCE_", ""),
        duration(s.getFreeWallDuration()),
        s.getKernel(),
        s.hasKernelCache()
            ? Optional.of(
                new KernelCache(
                    s.getKernelCache().getHits(),
                    s.getKernelCache().getMisses(),
                    s.getKernelCache().getHitRate(),
                    s.getKernelCache().getEntries(),
                    s.getKernelCache().getCapacity()))
            : Optional.empty());
  }

  public static Profile profile(dev.fibperf.proto.v1.Profile p) {
    return new Profile(
        hot(p.getSelfList()),
        hot(p.getTotalList()),
        p.getTotalSamples(),
        duration(p.getSamplingPeriod()),
        duration(p.getEffectiveSamplingPeriod()),
        p.getSamplesPerSecond(),
        duration(p.getDuration()),
        p.getJvmGcCount(),
        duration(p.getJvmGcPause()),
        p.getJvmJitCompilations(),
        p.getProfiledMethodCompilations(),
        p.getEngine(),
        p.getEngineNote());
  }

  private static List<HotMethod> hot(List<dev.fibperf.proto.v1.HotMethod> methods) {
    return methods.stream()
        .map(m -> new HotMethod(m.getMethod(), m.getSamples(), m.getPercent()))
        .toList();
  }

  public static Comparison comparison(dev.fibperf.proto.v1.Comparison c) {
    return new Comparison(
        summary(Phase.SERIAL, c.getSerial()),
        summary(Phase.PARALLEL, c.getParallel()),
        c.getSpeedup(),
        c.getEfficiency(),
        c.getWorkers(),
        duration(c.getLowerBound()),
        duration(c.getOptimalMakespan()),
        c.getOptimalProven(),
        c.getOptimalGap(),
        duration(c.getLargestFirstMakespan()),
        schedule(c.getSchedule()),
        duration(c.getPlannedMakespan()),
        c.getIdealSpeedup(),
        c.getAttainment(),
        verdict(c.getVerdict()),
        c.getIsolation() != dev.fibperf.proto.v1.Isolation.ISOLATION_SHARED,
        duration(c.getIsolationWait()),
        duration(c.getWarmup()),
        c.getFindingsList().stream().map(ProtoMapping::note).toList(),
        note(c.getReading()),
        c.hasSerialProfile() ? Optional.of(profile(c.getSerialProfile())) : Optional.empty(),
        c.hasParallelProfile() ? Optional.of(profile(c.getParallelProfile())) : Optional.empty(),
        c.hasProfileDiff()
            ? Optional.of(
                new ProfileDiff(
                    c.getProfileDiff().getCollapsedPairs().toStringUtf8(),
                    c.getProfileDiff().getFlameGraphHtml().toByteArray()))
            : Optional.empty(),
        c.getRunId(),
        c.hasEstimate() ? Optional.of(estimate(c.getEstimate())) : Optional.empty(),
        c.getRoundsList().stream().map(ProtoMapping::round).toList(),
        c.getRepresentativeRound(),
        c.getScalingList().stream()
            .map(
                p ->
                    new ScalingPoint(
                        p.getWorkers(),
                        p.getSpeedup(),
                        p.getSpeedupHigh() > 0
                            ? OptionalDouble.of(p.getSpeedupLow())
                            : OptionalDouble.empty(),
                        p.getSpeedupHigh() > 0
                            ? OptionalDouble.of(p.getSpeedupHigh())
                            : OptionalDouble.empty(),
                        p.getEfficiency(),
                        p.getSerialFraction(),
                        p.getRoundsUsed()))
            .toList());
  }

  public static Note note(dev.fibperf.proto.v1.Note n) {
    NoteKind kind;
    try {
      kind = NoteKind.valueOf(n.getKind().name().substring("NOTE_KIND_".length()));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      kind = NoteKind.UNKNOWN;
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    for (dev.fibperf.proto.v1.Figure f : n.getFiguresList()) {
      switch (f.getValueCase()) {
        case RATIO:
          figures.put(f.getName(), f.getRatio());
          break;
        case DURATION:
          figures.put(f.getName(), duration(f.getDuration()));
          break;
        case COUNT:
          figures.put(f.getName(), f.getCount());
          break;
        case LABEL:
          figures.put(f.getName(), f.getLabel());
          break;
        case FLAG:
          figures.put(f.getName(), f.getFlag());
          break;
        default:
          break; // a figure type this SDK does not know: the text still cites it
      }
    }
    return new Note(kind, figures, n.getText());
  }

  public static FibEvent serial(SerialResponse r) {
    switch (r.getEventCase()) {
      case TASK_STARTED:
        return started(Phase.SERIAL, r.getTaskStarted());
      case TASK_FINISHED:
        return finished(Phase.SERIAL, r.getTaskFinished());
      case SUMMARY:
        return summary(Phase.SERIAL, r.getSummary());
      default:
        throw unknown(r);
    }
  }

  public static FibEvent parallel(ParallelResponse r) {
    switch (r.getEventCase()) {
      case TASK_STARTED:
        return started(Phase.PARALLEL, r.getTaskStarted());
      case TASK_FINISHED:
        return finished(Phase.PARALLEL, r.getTaskFinished());
      case SUMMARY:
        return summary(Phase.PARALLEL, r.getSummary());
      default:
        throw unknown(r);
    }
  }

  public static FibEvent compare(CompareResponse r) {
    Phase phase =
        r.getPhase() == dev.fibperf.proto.v1.Phase.PHASE_PARALLEL ? Phase.PARALLEL : Phase.SERIAL;
    switch (r.getEventCase()) {
      case TASK_STARTED:
        return started(phase, r.getTaskStarted());
      case TASK_FINISHED:
        return finished(phase, r.getTaskFinished());
      case PHASE_SUMMARY:
        return new PhaseCompleted(
            phase, summary(phase, r.getPhaseSummary()), Math.max(1, r.getRound()));
      case COMPARISON:
        return comparison(r.getComparison());
      case ROUND_RESULT:
        return round(r.getRoundResult());
      default:
        return null; // an event this SDK does not know (a newer server): skipped
    }
  }

  public static RoundResult round(dev.fibperf.proto.v1.RoundResult r) {
    return new RoundResult(
        r.getRound(),
        r.getParallelFirst(),
        summary(Phase.SERIAL, r.getSerial()),
        summary(Phase.PARALLEL, r.getParallel()),
        r.getSpeedup(),
        r.getAttainment(),
        duration(r.getOptimalMakespan()),
        verdict(r.getVerdict()),
        r.getUsed(),
        r.hasExclusion() ? Optional.of(note(r.getExclusion())) : Optional.empty());
  }

  public static KernelInfo kernel(dev.fibperf.proto.v1.KernelInfo k) {
    return new KernelInfo(
        k.getName(),
        k.getVersion(),
        k.getDescription(),
        k.getMinSize(),
        k.getMaxSize(),
        k.getOrigin(),
        k.getDigest());
  }

  public static SpeedupEstimate estimate(dev.fibperf.proto.v1.SpeedupEstimate e) {
    boolean interval = e.getSpeedupHigh() > 0;
    boolean attainmentInterval = e.getAttainmentHigh() > 0;
    return new SpeedupEstimate(
        e.getSpeedup(),
        interval ? OptionalDouble.of(e.getSpeedupLow()) : OptionalDouble.empty(),
        interval ? OptionalDouble.of(e.getSpeedupHigh()) : OptionalDouble.empty(),
        e.getAttainment(),
        attainmentInterval ? OptionalDouble.of(e.getAttainmentLow()) : OptionalDouble.empty(),
        attainmentInterval ? OptionalDouble.of(e.getAttainmentHigh()) : OptionalDouble.empty(),
        e.getRounds(),
        e.getRoundsUsed(),
        e.getExclusions(),
        e.getRelativeHalfWidth(),
        e.getTargetPrecision(),
        e.getStopReason().name().replace("STOP_REASON_", ""),
        e.getSeed(),
        e.getParallelCoreWaitShare(),
        duration(e.getRoundsDuration()),
        e.hasCoreWaitRemoved()
            ? Optional.of(
                new SpeedupEstimate.CoreWaitRemoved(
                    e.getCoreWaitRemoved().getSpeedup(),
                    e.getCoreWaitRemoved().getSpeedupHigh() > 0
                        ? OptionalDouble.of(e.getCoreWaitRemoved().getSpeedupLow())
                        : OptionalDouble.empty(),
                    e.getCoreWaitRemoved().getSpeedupHigh() > 0
                        ? OptionalDouble.of(e.getCoreWaitRemoved().getSpeedupHigh())
                        : OptionalDouble.empty(),
                    e.getCoreWaitRemoved().getRoundsUsed()))
            : Optional.empty(),
        e.hasAcrossCompares()
            ? Optional.of(
                new SpeedupEstimate.AcrossCompares(
                    e.getAcrossCompares().getCompares(),
                    e.getAcrossCompares().getLow(),
                    e.getAcrossCompares().getHigh(),
                    e.getAcrossCompares().getSpread(),
                    e.getAcrossCompares().getTypical()))
            : Optional.empty());
  }

  public static RunMethod method(dev.fibperf.proto.v1.RunMethod m) {
    switch (m) {
      case RUN_METHOD_SERIAL:
        return RunMethod.SERIAL;
      case RUN_METHOD_PARALLEL:
        return RunMethod.PARALLEL;
      case RUN_METHOD_PROFILE_SERIAL:
        return RunMethod.PROFILE_SERIAL;
      case RUN_METHOD_COMPARE:
        return RunMethod.COMPARE;
      case RUN_METHOD_UNSPECIFIED:
      case UNRECOGNIZED:
        break;
    }
    throw unknown(m);
  }

  public static dev.fibperf.proto.v1.RunMethod method(RunMethod m) {
    switch (m) {
      case SERIAL:
        return dev.fibperf.proto.v1.RunMethod.RUN_METHOD_SERIAL;
      case PARALLEL:
        return dev.fibperf.proto.v1.RunMethod.RUN_METHOD_PARALLEL;
      case PROFILE_SERIAL:
        return dev.fibperf.proto.v1.RunMethod.RUN_METHOD_PROFILE_SERIAL;
      case COMPARE:
        return dev.fibperf.proto.v1.RunMethod.RUN_METHOD_COMPARE;
    }
    throw new AssertionError(m);
  }

  public static RunState state(dev.fibperf.proto.v1.RunState s) {
    switch (s) {
      case RUN_STATE_RUNNING:
        return RunState.RUNNING;
      case RUN_STATE_SUCCEEDED:
        return RunState.SUCCEEDED;
      case RUN_STATE_FAILED:
        return RunState.FAILED;
      case RUN_STATE_CANCELLED:
        return RunState.CANCELLED;
      case RUN_STATE_UNSPECIFIED:
      case UNRECOGNIZED:
        break;
    }
    throw unknown(s);
  }

  private static Phase phase(dev.fibperf.proto.v1.Phase p) {
    return p == dev.fibperf.proto.v1.Phase.PHASE_PARALLEL ? Phase.PARALLEL : Phase.SERIAL;
  }

  public static RunInfo run(dev.fibperf.proto.v1.RunInfo r) {
    Phase phase = phase(r.getPhase());
    return new RunInfo(
        r.getRunId(),
        method(r.getMethod()),
        r.getNumsList(),
        algorithm(r.getAlgorithm()),
        pool(r.getPool()),
        r.getParallelism(),
        state(r.getState()),
        r.getTasksDone(),
        r.getTasksTotal(),
        r.getPhase() == dev.fibperf.proto.v1.Phase.PHASE_UNSPECIFIED
            ? Optional.empty()
            : Optional.of(phase),
        instant(r.getAcceptedTime()),
        r.hasEndTime() ? Optional.of(instant(r.getEndTime())) : Optional.empty(),
        r.getStatusCode().isEmpty() ? Optional.empty() : Optional.of(r.getStatusCode()),
        r.getStatusMessage().isEmpty() ? Optional.empty() : Optional.of(r.getStatusMessage()),
        r.hasSummary() ? Optional.of(summary(Phase.SERIAL, r.getSummary())) : Optional.empty(),
        r.hasComparison() ? Optional.of(comparison(r.getComparison())) : Optional.empty(),
        hot(r.getTopMethodsList()),
        r.hasCoordinatorRun()
            ? Optional.of(
                new RunInfo.CoordinatorRun(
                    r.getCoordinatorRun().getCoordinator(), r.getCoordinatorRun().getRunId()))
            : Optional.empty());
  }

  public static FibEvent watched(dev.fibperf.proto.v1.WatchRunsResponse w) {
    Optional<RunMethod> method =
        w.getMethod() == dev.fibperf.proto.v1.RunMethod.RUN_METHOD_UNSPECIFIED
            ? Optional.empty()
            : Optional.of(method(w.getMethod()));
    Phase phase = phase(w.getPhase());
    RunWatchEvent.Kind kind;
    RunInfo run = null;
    FibEvent detail = null;
    switch (w.getEventCase()) {
      case IN_FLIGHT:
        kind = RunWatchEvent.Kind.IN_FLIGHT;
        run = run(w.getInFlight());
        break;
      case ACCEPTED:
        kind = RunWatchEvent.Kind.ACCEPTED;
        run = run(w.getAccepted());
        break;
      case TASK_STARTED:
        kind = RunWatchEvent.Kind.TASK_STARTED;
        detail = started(phase, w.getTaskStarted());
        break;
      case TASK_FINISHED:
        kind = RunWatchEvent.Kind.TASK_FINISHED;
        detail = finished(phase, w.getTaskFinished());
        break;
      case PROFILE_SNAPSHOT:
        kind = RunWatchEvent.Kind.PROFILE_SNAPSHOT;
        detail =
            new ProfileSnapshot(
                profile(w.getProfileSnapshot().getProfile()),
                w.getProfileSnapshot().getTasksDone(),
                w.getProfileSnapshot().getTasksTotal());
        break;
      case PHASE_COMPLETED:
        kind = RunWatchEvent.Kind.PHASE_COMPLETED;
        detail = new PhaseCompleted(phase, summary(phase, w.getPhaseCompleted()));
        break;
      case FINISHED:
        kind = RunWatchEvent.Kind.FINISHED;
        run = run(w.getFinished());
        break;
      case DROPPED_EVENTS:
        kind = RunWatchEvent.Kind.EVENTS_DROPPED;
        break;
      default:
        throw unknown(w);
    }
    return new RunWatchEvent(
        kind,
        w.getRunId(),
        method,
        Optional.ofNullable(run),
        Optional.ofNullable(detail),
        w.getDroppedEvents());
  }

  /** Maps ProfileSerial messages, joining artifact chunks into the final result. */
  public static final class ProfileAssembler {
    private final Map<ArtifactFormat, ByteString> artifacts = new EnumMap<>(ArtifactFormat.class);

    public FibEvent map(ProfileSerialResponse r) {
      switch (r.getEventCase()) {
        case TASK_STARTED:
          return started(Phase.SERIAL, r.getTaskStarted());
        case TASK_FINISHED:
          return finished(Phase.SERIAL, r.getTaskFinished());
        case SNAPSHOT:
          return new ProfileSnapshot(
              profile(r.getSnapshot().getProfile()),
              r.getSnapshot().getTasksDone(),
              r.getSnapshot().getTasksTotal());
        case ARTIFACT:
          dev.fibperf.proto.v1.ArtifactChunk c = r.getArtifact();
          ArtifactFormat format = format(c.getFormat());
          artifacts.merge(format, c.getData(), ByteString::concat);
          return new ArtifactChunk(format, c.getData().toByteArray(), c.getLast());
        case SUMMARY:
          Map<ArtifactFormat, byte[]> joined = new EnumMap<>(ArtifactFormat.class);
          artifacts.forEach((f, bytes) -> joined.put(f, bytes.toByteArray()));
          return new ProfileResult(
              summary(Phase.SERIAL, r.getSummary().getRun()),
              profile(r.getSummary().getProfile()),
              joined);
        default:
          throw unknown(r);
      }
    }
  }

  private static IllegalStateException unknown(Object message) {
    return new IllegalStateException("unknown event from a newer server: " + message);
  }

  public static Instant instant(com.google.protobuf.Timestamp t) {
    return Instant.ofEpochSecond(0, Timestamps.toNanos(t));
  }

  public static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofNanos(Durations.toNanos(d));
  }

  public static com.google.protobuf.Duration duration(Duration d) {
    return Durations.fromNanos(d.toNanos());
  }

  public static RunList runList(dev.fibperf.proto.v1.ListRunsResponse r) {
    return new RunList(
        r.getInFlightList().stream().map(ProtoMapping::run).toList(),
        r.getRecentList().stream().map(ProtoMapping::run).toList(),
        r.getNextPageToken().isEmpty() ? Optional.empty() : Optional.of(r.getNextPageToken()),
        history(r.getHistory()));
  }

  public static HistoryStatus history(dev.fibperf.proto.v1.HistoryStatus h) {
    return new HistoryStatus(
        h.getEnabled(),
        h.getDatabase(),
        h.getRunsWritten(),
        h.getWritesFailed(),
        h.getRunsDropped(),
        h.getQueued(),
        h.getLastError(),
        h.hasLastErrorTime() ? Optional.of(instant(h.getLastErrorTime())) : Optional.empty());
  }

  public static dev.fibperf.proto.v1.ListRunsRequest listRuns(RunQuery q) {
    dev.fibperf.proto.v1.ListRunsRequest.Builder b =
        dev.fibperf.proto.v1.ListRunsRequest.newBuilder()
            .setPageSize(q.pageSize())
            .setPageToken(q.pageToken())
            .setSameWorkloadAs(q.sameWorkloadAs());
    if (q.method() != null) {
      b.setMethod(method(q.method()));
    }
    return b.build();
  }

  public static RunChange change(dev.fibperf.proto.v1.RunChange c) {
    return new RunChange(
        c.getRunId(),
        c.getBaselineRunId(),
        c.getLabel(),
        c.getBaselineLabel(),
        c.getRuns(),
        c.getBaselineRuns(),
        c.getWorkload(),
        c.hasSpeedup() ? Optional.of(change(c.getSpeedup())) : Optional.empty(),
        c.hasSerialCost() ? Optional.of(change(c.getSerialCost())) : Optional.empty(),
        c.hasParallelWall() ? Optional.of(change(c.getParallelWall())) : Optional.empty(),
        c.hasCallWall() ? Optional.of(change(c.getCallWall())) : Optional.empty());
  }

  private static RunChange.Change change(dev.fibperf.proto.v1.Change c) {
    boolean interval =
        c.getVerdict() != dev.fibperf.proto.v1.ChangeVerdict.CHANGE_VERDICT_TOO_FEW_SAMPLES;
    return new RunChange.Change(
        c.getRatio(),
        interval ? c.getRatioLow() : Double.NaN,
        interval ? c.getRatioHigh() : Double.NaN,
        c.getConfidence(),
        c.getSamples(),
        c.getBaselineSamples(),
        c.getNoiseThreshold(),
        changeVerdict(c.getVerdict()));
  }

  private static RunChange.Verdict changeVerdict(dev.fibperf.proto.v1.ChangeVerdict v) {
    switch (v) {
      case CHANGE_VERDICT_FASTER:
        return RunChange.Verdict.FASTER;
      case CHANGE_VERDICT_SLOWER:
        return RunChange.Verdict.SLOWER;
      case CHANGE_VERDICT_HIGHER:
        return RunChange.Verdict.HIGHER;
      case CHANGE_VERDICT_LOWER:
        return RunChange.Verdict.LOWER;
      case CHANGE_VERDICT_TOO_FEW_SAMPLES:
        return RunChange.Verdict.TOO_FEW_SAMPLES;
      default:
        return RunChange.Verdict.NO_DETECTABLE_CHANGE;
    }
  }
}
