package dev.fibperf.server.service;

import com.google.protobuf.util.Durations;
import dev.fibperf.proto.Workloads;
import dev.fibperf.proto.v1.ChangeVerdict;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.RoundResult;
import dev.fibperf.proto.v1.RunChange;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.RunMethod;
import dev.fibperf.proto.v1.RunState;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.proto.v1.TaskFinished;
import dev.fibperf.server.analysis.Change;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A run against its baseline ({@link Change} on the contract's figures): for Compares, their clean
 * rounds (each round's serial wall, parallel wall, and their ratio); for single-phase runs, their
 * tasks paired by position.
 */
public final class RunChanges {
  private RunChanges() {}

  /**
   * @throws IllegalArgumentException when the two runs are not of one workload, or one did not
   *     succeed
   */
  public static RunChange between(RunInfo run, RunInfo baseline) {
    if (!Workloads.key(run).equals(Workloads.key(baseline))) {
      throw new IllegalArgumentException(
          "run "
              + run.getRunId()
              + " ("
              + workload(run)
              + ") and baseline "
              + baseline.getRunId()
              + " ("
              + workload(baseline)
              + ") are not runs of one workload");
    }
    for (RunInfo r : List.of(run, baseline)) {
      if (r.getState() != RunState.RUN_STATE_SUCCEEDED) {
        throw new IllegalArgumentException(
            "run " + r.getRunId() + " did not succeed (" + r.getState() + "): it has no figures");
      }
    }
    RunChange.Builder b =
        RunChange.newBuilder()
            .setRunId(run.getRunId())
            .setBaselineRunId(baseline.getRunId())
            .setWorkload(workload(run));
    long seed = run.getRunId() * 31 + baseline.getRunId();
    if (run.getMethod() == RunMethod.RUN_METHOD_COMPARE) {
      List<RoundResult> a = cleanRounds(run.getComparison());
      List<RoundResult> z = cleanRounds(baseline.getComparison());
      b.setSpeedup(
          proto(
              Change.ofRounds(
                  walls(a, RoundResult::getSerial),
                  walls(a, RoundResult::getParallel),
                  walls(z, RoundResult::getSerial),
                  walls(z, RoundResult::getParallel),
                  Change.Figure.SPEEDUP,
                  seed)));
      b.setSerialCost(
          proto(
              Change.ofRounds(
                  walls(a, RoundResult::getSerial),
                  ones(a.size()),
                  walls(z, RoundResult::getSerial),
                  ones(z.size()),
                  Change.Figure.COST,
                  seed + 1)));
      b.setParallelWall(
          proto(
              Change.ofRounds(
                  walls(a, RoundResult::getParallel),
                  ones(a.size()),
                  walls(z, RoundResult::getParallel),
                  ones(z.size()),
                  Change.Figure.COST,
                  seed + 2)));
    } else {
      b.setSerialCost(
          proto(
              Change.ofPairs(
                  durations(run.getSummary()),
                  durations(baseline.getSummary()),
                  Change.Figure.COST,
                  seed)));
    }
    return b.build();
  }

  /**
   * Two sets of labelled runs of one workload: each run's wall one sample (a Compare's parallel
   * phase), the run set's mean over the baseline set's, with the two-sample bootstrap.
   *
   * @throws IllegalArgumentException when the runs are not all of one workload
   */
  public static RunChange betweenLabels(
      String label, List<RunInfo> runs, String baselineLabel, List<RunInfo> baseline) {
    String key = Workloads.key(runs.get(0));
    for (RunInfo r : concat(runs, baseline)) {
      if (!Workloads.key(r).equals(key)) {
        throw new IllegalArgumentException(
            "runs labelled \""
                + label
                + "\" and \""
                + baselineLabel
                + "\" are not all of one workload: run "
                + runs.get(0).getRunId()
                + " is "
                + workload(runs.get(0))
                + ", run "
                + r.getRunId()
                + " is "
                + workload(r));
      }
    }
    List<RunInfo> done = succeeded(runs);
    List<RunInfo> baseDone = succeeded(baseline);
    return RunChange.newBuilder()
        .setWorkload(workload(runs.get(0)))
        .setLabel(label)
        .setBaselineLabel(baselineLabel)
        .setRuns(done.size())
        .setBaselineRuns(baseDone.size())
        .setCallWall(
            proto(
                Change.ofRounds(
                    callWalls(done),
                    ones(done.size()),
                    callWalls(baseDone),
                    ones(baseDone.size()),
                    Change.Figure.COST,
                    label.hashCode() * 31L + baselineLabel.hashCode())))
        .build();
  }

  private static List<RunInfo> concat(List<RunInfo> a, List<RunInfo> b) {
    List<RunInfo> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static List<RunInfo> succeeded(List<RunInfo> runs) {
    return runs.stream().filter(r -> r.getState() == RunState.RUN_STATE_SUCCEEDED).toList();
  }

  private static double[] callWalls(List<RunInfo> runs) {
    return runs.stream()
        .mapToDouble(
            r ->
                Durations.toNanos(
                    r.hasSummary()
                        ? r.getSummary().getWallDuration()
                        : r.getComparison().getParallel().getWallDuration()))
        .toArray();
  }

  /** "RUN_METHOD_COMPARE fib-naive threads ×2 [34,35,36,35]". */
  static String workload(RunInfo r) {
    return r.getMethod().name()
        + " "
        + r.getKernel()
        + " "
        + r.getPool().name()
        + " parallelism="
        + r.getParallelism()
        + " nums=["
        + Workloads.nums(r)
        + "]";
  }

  /** The rounds a Compare's estimate used; all of them when none was clean. */
  private static List<RoundResult> cleanRounds(Comparison c) {
    List<RoundResult> used = c.getRoundsList().stream().filter(RoundResult::getUsed).toList();
    return used.isEmpty() ? c.getRoundsList() : used;
  }

  private static double[] walls(
      List<RoundResult> rounds, java.util.function.Function<RoundResult, RunSummary> phase) {
    ToDoubleFunction<RoundResult> wall = r -> Durations.toNanos(phase.apply(r).getWallDuration());
    return rounds.stream().mapToDouble(wall).toArray();
  }

  private static double[] ones(int n) {
    double[] ones = new double[n];
    java.util.Arrays.fill(ones, 1);
    return ones;
  }

  /** Task durations in task order (by index), so that the two runs' tasks pair up. */
  private static double[] durations(RunSummary s) {
    return s.getResultsList().stream()
        .sorted(java.util.Comparator.comparingInt(TaskFinished::getIndex))
        .mapToDouble(t -> Durations.toNanos(t.getDuration()))
        .toArray();
  }

  private static dev.fibperf.proto.v1.Change proto(Change c) {
    dev.fibperf.proto.v1.Change.Builder b =
        dev.fibperf.proto.v1.Change.newBuilder()
            .setRatio(c.ratio())
            .setConfidence(Change.CONFIDENCE)
            .setSamples(c.samples())
            .setBaselineSamples(c.baselineSamples())
            .setNoiseThreshold(Change.NOISE_THRESHOLD)
            .setVerdict(verdict(c.verdict()));
    if (c.hasInterval()) {
      b.setRatioLow(c.low()).setRatioHigh(c.high());
    }
    return b.build();
  }

  private static ChangeVerdict verdict(Change.Verdict v) {
    switch (v) {
      case FASTER:
        return ChangeVerdict.CHANGE_VERDICT_FASTER;
      case SLOWER:
        return ChangeVerdict.CHANGE_VERDICT_SLOWER;
      case HIGHER:
        return ChangeVerdict.CHANGE_VERDICT_HIGHER;
      case LOWER:
        return ChangeVerdict.CHANGE_VERDICT_LOWER;
      case NO_DETECTABLE_CHANGE:
        return ChangeVerdict.CHANGE_VERDICT_NO_DETECTABLE_CHANGE;
      case TOO_FEW_SAMPLES:
        return ChangeVerdict.CHANGE_VERDICT_TOO_FEW_SAMPLES;
    }
    throw new AssertionError(v);
  }
}
