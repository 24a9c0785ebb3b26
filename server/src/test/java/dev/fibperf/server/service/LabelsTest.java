package dev.fibperf.server.service;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.ChangeVerdict;
import dev.fibperf.proto.v1.CompareRunsRequest;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.RunChange;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.FakeKernel;
import dev.fibperf.server.testing.InProcessFixture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/**
 * Labelled runs (the calls of one {@code fibperf bench}): listed by label, and one label's runs
 * judged against another's, each run's wall one sample.
 */
class LabelsTest {
  private static InProcessFixture fixture() throws Exception {
    return new InProcessFixture(
        ServerConfig.newBuilder().workers(1).profilingEnabled(false).build(),
        b -> b.threadKernel(FakeKernel.instant()));
  }

  private static void serials(InProcessFixture fx, String label, int n, int times) {
    for (int i = 0; i < times; i++) {
      drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(n).setLabel(label).build()));
    }
  }

  @Test
  void oneLabelsRuns_judgedAgainstAnothers_sampleByRun() throws Exception {
    try (InProcessFixture fx = fixture()) {
      serials(fx, "before", 20, 6);
      serials(fx, "after", 20, 7);
      serials(fx, "", 20, 2);

      var listed = fx.blocking.listRuns(ListRunsRequest.newBuilder().setLabel("after").build());
      assertEquals(7, listed.getRecentCount());
      assertTrue(listed.getRecentList().stream().allMatch(r -> r.getLabel().equals("after")));

      RunChange change =
          fx.blocking
              .compareRuns(
                  CompareRunsRequest.newBuilder()
                      .setLabel("after")
                      .setBaselineLabel("before")
                      .build())
              .getChange();
      assertEquals(7, change.getRuns());
      assertEquals(6, change.getBaselineRuns());
      assertEquals(7, change.getCallWall().getSamples());
      assertEquals(6, change.getCallWall().getBaselineSamples());
      // The ratio is the runs' mean wall over the baseline's, from the walls the runs report.
      double after = meanWall(listed.getRecentList());
      double before =
          meanWall(
              fx.blocking
                  .listRuns(ListRunsRequest.newBuilder().setLabel("before").build())
                  .getRecentList());
      assertEquals(after / before, change.getCallWall().getRatio(), 1e-9 * after / before);
      assertTrue(
          change.getCallWall().getVerdict() != ChangeVerdict.CHANGE_VERDICT_UNSPECIFIED
              && change.getCallWall().getVerdict() != ChangeVerdict.CHANGE_VERDICT_TOO_FEW_SAMPLES,
          change.toString());
    }
  }

  private static double meanWall(java.util.List<RunInfo> runs) {
    return runs.stream()
        .mapToDouble(
            r -> com.google.protobuf.util.Durations.toNanos(r.getSummary().getWallDuration()))
        .average()
        .orElseThrow();
  }

  @Test
  void badLabels_andMixedWorkloads_areRefusedByName() throws Exception {
    try (InProcessFixture fx = fixture()) {
      StatusRuntimeException bad =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  drain(
                      fx.blocking.serial(
                          SerialRequest.newBuilder().addNums(5).setLabel("a b").build())));
      assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
      assertEquals(
          "label=\"a b\" may hold only A-Z a-z 0-9 . _ : -", bad.getStatus().getDescription());
      StatusRuntimeException longOne =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  drain(
                      fx.blocking.serial(
                          SerialRequest.newBuilder().addNums(5).setLabel("x".repeat(65)).build())));
      assertEquals("label is 65 characters long; at most 64", longOne.getStatus().getDescription());

      serials(fx, "five", 5, 1);
      serials(fx, "six", 6, 1);
      StatusRuntimeException mixed =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  fx.blocking.compareRuns(
                      CompareRunsRequest.newBuilder()
                          .setLabel("five")
                          .setBaselineLabel("six")
                          .build()));
      assertEquals(Status.Code.FAILED_PRECONDITION, mixed.getStatus().getCode());
      assertTrue(
          mixed.getStatus().getDescription().contains("are not all of one workload"),
          mixed.getStatus().getDescription());
      StatusRuntimeException none =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  fx.blocking.compareRuns(
                      CompareRunsRequest.newBuilder()
                          .setLabel("five")
                          .setBaselineLabel("never")
                          .build()));
      assertEquals(Status.Code.NOT_FOUND, none.getStatus().getCode());
      assertEquals("no finished run is labelled \"never\"", none.getStatus().getDescription());
    }
  }
}
