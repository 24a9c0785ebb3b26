package dev.fibperf.server.service;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.Algorithm;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.GetRunRequest;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.ListRunsResponse;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.WatchRunsRequest;
import dev.fibperf.proto.v1.WatchRunsResponse;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.compute.CostModel;
import dev.fibperf.server.config.ServerConfig;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * No message the server sends exceeds 4 MiB, gRPC's default inbound limit in every client: at the
 * largest request the results limit allows, a client with default settings receives the Compare's
 * final message, a watcher its events, and GetRun and ListRuns their answers; one task more is
 * refused up front, before any work, saying why.
 */
class BoundedMessagesTest {
  private static final int N = 10_000; // the largest n FAST_DOUBLING allows by default
  private static final int FOUR_MIB = 4 << 20;

  @Test
  void theLargestAllowedCompare_fitsEveryMessageIn4MiB_andOneTaskMoreIsRefused() throws Exception {
    long perTask = (CostModel.decimalDigits(N) + RequestMapper.RESULT_OVERHEAD_BYTES) * 2;
    int largest = (int) (RequestMapper.MAX_RESULT_BYTES / perTask);
    FibServer server =
        FibServer.newBuilder(
                Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()),
                ServerConfig.newBuilder().workers(2).build())
            .build()
            .start();
    // A client as any would be: default limits (4 MiB inbound).
    ManagedChannel channel =
        Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
            .build();
    try {
      FibPerfServiceGrpc.FibPerfServiceBlockingStub stub =
          FibPerfServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES);
      List<WatchRunsResponse> watched = new CopyOnWriteArrayList<>();
      Thread watcher =
          new Thread(
              () -> {
                try {
                  stub.watchRuns(WatchRunsRequest.getDefaultInstance())
                      .forEachRemaining(watched::add);
                } catch (StatusRuntimeException ended) {
                  watched.add(WatchRunsResponse.getDefaultInstance()); // mark how it ended
                  throw ended;
                }
              });
      watcher.setDaemon(true);
      watcher.start();
      await("the watch").until(() -> server.service().watchers() == 1);

      List<CompareResponse> events = drain(stub.compare(request(largest)));
      CompareResponse last = events.get(events.size() - 1);
      long runId = last.getComparison().getSerial().getRunId();
      RunInfo got = stub.getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun();
      ListRunsResponse list = stub.listRuns(ListRunsRequest.getDefaultInstance());
      // The run's finished event, or, when the watcher fell behind the burst of a Compare's held
      // events on a busy machine, the count of what it lost (as WatchRuns promises): either way
      // every message reached it whole.
      await("the watcher's finished event, or its count of events lost")
          .atMost(java.time.Duration.ofMinutes(2))
          .until(() -> watched.stream().anyMatch(m -> m.hasFinished() || m.getDroppedEvents() > 0));

      assertEquals(largest, last.getComparison().getParallel().getResultsCount());
      assertTrue(last.getSerializedSize() <= FOUR_MIB, last.getSerializedSize() + " bytes");
      assertEquals(
          CostModel.decimalDigits(N) - 1,
          last.getComparison().getParallel().getResults(0).getValue().length(),
          "each value is all there (the bound is one over)");
      assertTrue(got.getSerializedSize() <= FOUR_MIB);
      assertEquals(largest, got.getComparison().getSerial().getResultsCount());
      assertTrue(
          list.getSerializedSize() < FOUR_MIB / 16,
          "a list leaves out the results: " + list.getSerializedSize() + " bytes");
      assertEquals(0, list.getRecent(0).getComparison().getSerial().getResultsCount());
      assertTrue(watched.stream().noneMatch(m -> m.getEventCase() == null));

      // Profiled, the final message also carries both profiles and their diff: still within.
      List<CompareResponse> profiled =
          drain(stub.compare(request(largest).toBuilder().setProfile(true).build()));
      dev.fibperf.proto.v1.Comparison withProfiles =
          profiled.get(profiled.size() - 1).getComparison();
      assertTrue(withProfiles.hasProfileDiff());
      assertTrue(
          withProfiles.getSerializedSize() <= FOUR_MIB,
          withProfiles.getSerializedSize() + " bytes");
      assertTrue(
          stub.getRun(GetRunRequest.newBuilder().setRunId(withProfiles.getRunId()).build())
                  .getSerializedSize()
              <= FOUR_MIB);

      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class, () -> drain(stub.compare(request(largest + 1))));
      assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
      assertTrue(
          refused
              .getStatus()
              .getDescription()
              .matches(
                  "nums: the results would take 3\\.753 MiB of the final message \\(2 runs\\),"
                      + " over the 3\\.750 MiB it has for them within the 4 MiB every gRPC client"
                      + " accepts by default; use smaller n or fewer tasks"),
          refused.getStatus().getDescription());
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }

  private static CompareRequest request(int tasks) {
    return CompareRequest.newBuilder()
        .setRounds(1)
        .addAllNums(Collections.nCopies(tasks, N))
        .setAlgorithm(Algorithm.ALGORITHM_FAST_DOUBLING)
        .build();
  }
}
