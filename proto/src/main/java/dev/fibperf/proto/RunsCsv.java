package dev.fibperf.proto;

import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.ListRunsResponse;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.TaskFinished;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Runs and tasks as CSV, for a notebook or a spreadsheet (needs Apache Commons CSV, an optional
 * dependency of this artifact that the server and the CLI bring): one row per run ({@code
 * /api/runs.csv}), one per task ({@code /api/runs/<id>/tasks.csv}); the CLI's {@code fibperf runs
 * --csv} prints the same. Durations in seconds, times in RFC 3339; a figure a run does not have is
 * an empty cell.
 */
public final class RunsCsv {
  private RunsCsv() {}

  static final String[] RUN_COLUMNS = {
    "run_id",
    "method",
    "kernel",
    "pool",
    "parallelism",
    "nums",
    "workload",
    "state",
    "accepted_time",
    "end_time",
    "wall_seconds",
    "speedup",
    "speedup_low",
    "speedup_high",
    "attainment",
    "verdict"
  };

  static final String[] TASK_COLUMNS = {
    "run_id",
    "round",
    "phase",
    "index",
    "n",
    "worker",
    "start_offset_seconds",
    "duration_seconds",
    "cpu_seconds",
    "core_wait_seconds",
    "value"
  };

  public static byte[] runs(ListRunsResponse list) {
    List<RunInfo> all = new ArrayList<>(list.getInFlightList());
    all.addAll(list.getRecentList());
    return print(
        RUN_COLUMNS,
        p -> {
          for (RunInfo r : all) {
            Comparison c = r.hasComparison() ? r.getComparison() : null;
            p.printRecord(
                r.getRunId(),
                r.getMethod().name(),
                r.getKernel(),
                r.getPool().name(),
                r.getParallelism(),
                Workloads.nums(r),
                Workloads.key(r),
                r.getState().name(),
                time(r.getAcceptedTime()),
                r.hasEndTime() ? time(r.getEndTime()) : "",
                r.hasSummary()
                    ? seconds(r.getSummary().getWallDuration())
                    : c != null ? seconds(c.getParallel().getWallDuration()) : "",
                c == null ? "" : c.getSpeedup(),
                c == null || c.getEstimate().getSpeedupLow() == 0
                    ? ""
                    : c.getEstimate().getSpeedupLow(),
                c == null || c.getEstimate().getSpeedupHigh() == 0
                    ? ""
                    : c.getEstimate().getSpeedupHigh(),
                c == null ? "" : c.getAttainment(),
                c == null ? "" : c.getVerdict().name());
          }
        });
  }

  public static byte[] tasks(RunInfo run) {
    return print(
        TASK_COLUMNS,
        p -> {
          for (Workloads.PhaseOf phase : Workloads.phases(run)) {
            for (TaskFinished t : phase.summary().getResultsList()) {
              p.printRecord(
                  run.getRunId(),
                  phase.round(),
                  phase.phase(),
                  t.getIndex(),
                  t.getN(),
                  t.getWorker(),
                  (nanos(t.getStartTime()) - nanos(phase.summary().getStartTime())) / 1e9,
                  seconds(t.getDuration()),
                  seconds(t.getCpuTime()),
                  seconds(t.getCoreWait()),
                  t.getValue());
            }
          }
        });
  }

  private static String seconds(com.google.protobuf.Duration d) {
    return String.valueOf((d.getSeconds() * 1_000_000_000L + d.getNanos()) / 1e9);
  }

  private static long nanos(com.google.protobuf.Timestamp t) {
    return t.getSeconds() * 1_000_000_000L + t.getNanos();
  }

  /** RFC 3339, as the protobuf JSON mapping writes a timestamp. */
  private static String time(com.google.protobuf.Timestamp t) {
    return java.time.Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
  }

  private interface Rows {
    void print(CSVPrinter printer) throws IOException;
  }

  private static byte[] print(String[] header, Rows rows) {
    StringWriter out = new StringWriter();
    try (CSVPrinter p = CSVFormat.RFC4180.builder().setHeader(header).get().print(out)) {
      rows.print(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}
