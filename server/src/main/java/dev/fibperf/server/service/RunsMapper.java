package dev.fibperf.server.service;

import dev.fibperf.proto.v1.CoordinatorRun;
import dev.fibperf.proto.v1.HotMethod;
import dev.fibperf.proto.v1.ProfileSnapshot;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.RunMethod;
import dev.fibperf.proto.v1.RunState;
import dev.fibperf.proto.v1.WatchRunsResponse;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.history.RunStore;
import dev.fibperf.server.profile.Artifacts;
import dev.fibperf.server.run.RunEvent;
import dev.fibperf.server.run.RunKind;
import dev.fibperf.server.run.RunOutcome;
import dev.fibperf.server.run.RunRegistry.RunRecord;
import dev.fibperf.server.run.RunRegistry.State;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Run records and events to the run-list RPCs' {@code fibperf.v1} messages; the HTTP dashboard
 * serves the same messages as JSON.
 */
public final class RunsMapper {
  private RunsMapper() {}

  static RunMethod method(RunKind kind) {
    switch (kind) {
      case SERIAL:
        return RunMethod.RUN_METHOD_SERIAL;
      case PARALLEL:
        return RunMethod.RUN_METHOD_PARALLEL;
      case PROFILE_SERIAL:
        return RunMethod.RUN_METHOD_PROFILE_SERIAL;
      case COMPARE:
        return RunMethod.RUN_METHOD_COMPARE;
    }
    throw new AssertionError(kind);
  }

  static RunState state(State state) {
    switch (state) {
      case RUNNING:
        return RunState.RUN_STATE_RUNNING;
      case SUCCEEDED:
        return RunState.RUN_STATE_SUCCEEDED;
      case FAILED:
        return RunState.RUN_STATE_FAILED;
      case CANCELLED:
        return RunState.RUN_STATE_CANCELLED;
    }
    throw new AssertionError(state);
  }

  public static RunInfo info(RunRecord r) {
    RunInfo.Builder b =
        RunInfo.newBuilder()
            .setRunId(r.id())
            .setMethod(method(r.spec().kind()))
            .setAlgorithm(Protos.algorithm(r.spec().algorithm()))
            .setKernel(r.spec().algorithm().kernelName())
            .setLabel(r.spec().label())
            .setPool(Protos.pool(r.spec().pool()))
            .setParallelism(parallelism(r))
            .setState(state(r.state()))
            .setTasksDone(r.tasksDone())
            .setTasksTotal(r.tasksTotal())
            .setAcceptedTime(Protos.timestamp(r.acceptedTime()));
    for (Task t : r.spec().tasks()) {
      b.addNums(t.n());
    }
    if (r.phase() != null && r.spec().kind() == RunKind.COMPARE) {
      b.setPhase(Protos.phase(r.phase()));
    }
    if (r.spec().coordinatorRun() != null) {
      b.setCoordinatorRun(
          CoordinatorRun.newBuilder()
              .setCoordinator(r.spec().coordinatorRun().coordinator())
              .setRunId(r.spec().coordinatorRun().runId()));
    }
    if (r.endTime() != null) {
      b.setEndTime(Protos.timestamp(r.endTime()));
    }
    if (r.failure() != null) {
      Status status = StatusMapping.toStatus(r.failure(), false);
      b.setStatusCode(status.getCode().name());
      if (status.getDescription() != null) {
        b.setStatusMessage(status.getDescription());
      }
    }
    if (r.outcome() != null) {
      if (r.spec().kind() == RunKind.COMPARE) {
        b.setComparison(ResponseMapper.comparison(r.outcome(), false));
      } else {
        b.setSummary(ResponseMapper.summary(r.outcome().only().result(), r.id()));
      }
    }
    for (dev.fibperf.server.profile.HotMethod m : r.topMethods()) {
      b.addTopMethods(
          HotMethod.newBuilder()
              .setMethod(m.method())
              .setSamples(m.samples())
              .setPercent(m.percent()));
    }
    return b.build();
  }

  /**
   * Most tasks in flight in the run's parallel phase: what it had once it has run (a request for 0
   * gets the pool's size, known when its phase leases the pool), what it asked for until then.
   */
  private static int parallelism(RunRecord r) {
    if (r.outcome() != null) {
      var phases = r.outcome().phases();
      return phases.get(phases.size() - 1).result().parallelism();
    }
    return r.spec().parallelism();
  }

  /**
   * {@link #info} for a list: the summaries without their per-task results, a Compare's rounds
   * without their phases (GetRun has them).
   */
  public static RunInfo listed(RunRecord r) {
    return listed(info(r));
  }

  /** {@link #listed(RunRecord)} of a run as GetRun answers it (e.g. from the history). */
  public static RunInfo listed(RunInfo info) {
    if (!info.hasSummary() && !info.hasComparison()) {
      return info;
    }
    RunInfo.Builder b = info.toBuilder();
    if (b.hasSummary()) {
      b.getSummaryBuilder().clearResults();
    }
    if (b.hasComparison()) {
      b.getComparisonBuilder().getSerialBuilder().clearResults();
      b.getComparisonBuilder().getParallelBuilder().clearResults();
      // Each round's figures, without its phases' summaries (GetRun has them): a dashboard draws
      // the rounds from the list.
      for (var round : b.getComparisonBuilder().getRoundsBuilderList()) {
        round.clearSerial().clearParallel();
      }
    }
    return b.build();
  }

  /** What a watcher gets for {@code event}, or null if nothing (an artifact's bytes). */
  public static WatchRunsResponse watched(RunRecord r, RunEvent event) {
    WatchRunsResponse.Builder b =
        WatchRunsResponse.newBuilder().setRunId(r.id()).setMethod(method(r.spec().kind()));
    if (event instanceof RunEvent.Accepted) {
      b.setAccepted(info(r));
    } else if (event instanceof RunEvent.TaskStarted t) {
      b.setPhase(Protos.phase(t.phase())).setTaskStarted(ResponseMapper.started(t.start()));
      compareRound(r, b, t.round());
    } else if (event instanceof RunEvent.TaskFinished t) {
      b.setPhase(Protos.phase(t.phase())).setTaskFinished(ResponseMapper.finished(t.result()));
      compareRound(r, b, t.round());
    } else if (event instanceof RunEvent.RoundCompleted c) {
      b.setRound(c.round().number()).setRoundCompleted(ResponseMapper.round(c.round(), r.id()));
    } else if (event instanceof RunEvent.ProfileSnapshot s) {
      b.setPhase(Protos.phase(s.phase()))
          .setProfileSnapshot(
              ProfileSnapshot.newBuilder()
                  .setProfile(ResponseMapper.profile(s.profile()))
                  .setTasksDone(s.tasksDone())
                  .setTasksTotal(s.tasksTotal()));
    } else if (event instanceof RunEvent.PhaseCompleted p) {
      b.setPhase(Protos.phase(p.phase()))
          .setPhaseCompleted(ResponseMapper.summary(p.result(), r.id()));
      compareRound(r, b, p.round());
    } else if (event instanceof RunEvent.Completed || event instanceof RunEvent.Failed) {
      return finished(r);
    } else {
      return null;
    }
    return b.build();
  }

  private static void compareRound(RunRecord r, WatchRunsResponse.Builder b, int round) {
    if (r.spec().kind() == RunKind.COMPARE) {
      b.setRound(round);
    }
  }

  public static WatchRunsResponse inFlight(RunRecord r) {
    return WatchRunsResponse.newBuilder()
        .setRunId(r.id())
        .setMethod(method(r.spec().kind()))
        .setInFlight(info(r))
        .build();
  }

  /** A run's final state, as its last watch message. */
  public static WatchRunsResponse finished(RunRecord r) {
    return WatchRunsResponse.newBuilder()
        .setRunId(r.id())
        .setMethod(method(r.spec().kind()))
        .setFinished(info(r))
        .build();
  }

  public static WatchRunsResponse dropped(long events) {
    return WatchRunsResponse.newBuilder().setDroppedEvents(events).build();
  }

  /**
   * What the history keeps of a finished run: its RunInfo as GetRun answers it, and each profiled
   * phase's collapsed stacks.
   */
  public static RunStore.StoredRun stored(RunRecord r, String replica) {
    List<RunStore.StoredProfile> profiles = new ArrayList<>();
    if (r.outcome() != null) {
      for (RunOutcome.PhaseOutcome p : r.outcome().phases()) {
        if (p.profile() != null) {
          profiles.add(
              new RunStore.StoredProfile(
                  p.phase().name().toLowerCase(Locale.ROOT),
                  p.profile().engine(),
                  p.profile().totalSamples(),
                  p.profile().samplingPeriod(),
                  new String(Artifacts.collapsed(p.profile()), StandardCharsets.UTF_8)));
        }
      }
    }
    return new RunStore.StoredRun(replica, info(r), profiles);
  }
}
