package dev.fibperf.proto;

import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.RoundResult;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.RunMethod;
import dev.fibperf.proto.v1.RunSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What makes two runs measurements of the same thing: the method, the kernel, the pool, the
 * parallelism it ran at and the inputs in order. A baseline is an earlier run of the same workload.
 */
public final class Workloads {
  private Workloads() {}

  /** The inputs as text: {@code 34,35,36,35}. */
  public static String nums(RunInfo info) {
    return info.getNumsList().stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  /** A short stable key (16 hex digits) naming the workload. */
  public static String key(RunInfo info) {
    return digest(
        info.getMethod().name()
            + "|"
            + info.getKernel()
            + "|"
            + info.getPool().name()
            + "|"
            + info.getParallelism()
            + "|"
            + nums(info));
  }

  /**
   * One phase's summary in a run.
   *
   * @param round the Compare's round (its representative one for the headline phases), or 0 for a
   *     single-phase run
   * @param phase {@code serial} or {@code parallel}
   */
  public record PhaseOf(int round, String phase, RunSummary summary) {}

  /** Every phase a run measured, each round's of a Compare. */
  public static List<PhaseOf> phases(RunInfo info) {
    List<PhaseOf> phases = new ArrayList<>();
    if (info.hasSummary()) {
      String phase = info.getMethod() == RunMethod.RUN_METHOD_PARALLEL ? "parallel" : "serial";
      phases.add(new PhaseOf(0, phase, info.getSummary()));
    } else if (info.hasComparison()) {
      Comparison c = info.getComparison();
      // A Compare's rounds carry their phases' figures; the tasks are the headline phases', those
      // of its representative round.
      boolean roundsHavePhases =
          c.getRoundsCount() > 0 && c.getRounds(0).getSerial().getResultsCount() > 0;
      if (roundsHavePhases) {
        for (RoundResult r : c.getRoundsList()) {
          phases.add(new PhaseOf(r.getRound(), "serial", r.getSerial()));
          phases.add(new PhaseOf(r.getRound(), "parallel", r.getParallel()));
        }
      } else {
        phases.add(new PhaseOf(c.getRepresentativeRound(), "serial", c.getSerial()));
        phases.add(new PhaseOf(c.getRepresentativeRound(), "parallel", c.getParallel()));
      }
    }
    return phases;
  }

  /** A short stable digest of a text: 16 hex digits of its SHA-256. */
  private static String digest(String text) {
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
