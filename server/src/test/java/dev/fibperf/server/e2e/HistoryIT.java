package dev.fibperf.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.ChangeVerdict;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareRunsRequest;
import dev.fibperf.proto.v1.CompareRunsResponse;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.FibPerfServiceGrpc.FibPerfServiceBlockingStub;
import dev.fibperf.proto.v1.GetRunRequest;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.ListRunsResponse;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.server.testing.ServerProcess;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server's run history in its default place, an H2 database in {@code --data-dir}:
 * runs outlive a restart with their tasks and profiles, ids go on growing, a run is judged against
 * its baseline, and runs export as CSV; a database that cannot be reached never stops a run.
 */
class HistoryIT {
  @TempDir Path dataDir;

  private static <T> T call(ServerProcess server, Function<FibPerfServiceBlockingStub, T> rpc) {
    ManagedChannel channel =
        Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
    try {
      return rpc.apply(
          FibPerfServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES));
    } finally {
      channel.shutdownNow();
    }
  }

  private static <T> List<T> drain(Iterator<T> stream) {
    List<T> all = new ArrayList<>();
    stream.forEachRemaining(all::add);
    return all;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void runsOutliveARestart_withTasksProfilesBaselinesAndExports() throws Exception {
    CompareRequest compare =
        CompareRequest.newBuilder().addAllNums(List.of(22, 23, 24, 23)).setRounds(6).build();
    long first;
    long second;
    long profiled;
    String livePage;
    int firstHttp = freePort();
    try (ServerProcess server =
        new ServerProcess("--data-dir=" + dataDir, "--workers=2", "--http-port=" + firstHttp)) {
      first = lastId(call(server, s -> drain(s.compare(compare))));
      second = lastId(call(server, s -> drain(s.compare(compare))));
      call(
          server,
          s -> drain(s.profileSerial(ProfileSerialRequest.newBuilder().addNums(27).build())));
      profiled = newest(server).getRunId();
      livePage = get(firstHttp, "/runs/" + profiled + "/flamegraph.html").body();
      assertTrue(livePage.contains("<canvas"), livePage);
      assertEquals(0, server.terminate(60));
    }
    assertTrue(Files.exists(dataDir.resolve("history.mv.db")), "H2's file in the data dir");

    int httpPort = freePort();
    try (ServerProcess server =
        new ServerProcess("--data-dir=" + dataDir, "--workers=2", "--http-port=" + httpPort)) {
      ListRunsResponse list = call(server, s -> s.listRuns(ListRunsRequest.getDefaultInstance()));
      assertTrue(list.getHistory().getEnabled(), list.getHistory().toString());
      assertEquals(
          List.of(profiled, second, first),
          list.getRecentList().stream().map(RunInfo::getRunId).toList());
      // GetRun of a run finished before the restart: the tasks come back too.
      RunInfo before =
          call(server, s -> s.getRun(GetRunRequest.newBuilder().setRunId(first).build())).getRun();
      assertEquals(4, before.getComparison().getSerial().getResultsCount());
      assertEquals(6, before.getComparison().getRoundsCount());

      // A new run's id comes from a block the first server never used.
      long after =
          call(server, s -> drain(s.serial(SerialRequest.newBuilder().addNums(20).build())))
              .stream()
              .filter(SerialResponse::hasSummary)
              .findFirst()
              .orElseThrow()
              .getSummary()
              .getRunId();
      assertTrue(after > profiled, after + " after " + profiled);

      // The second Compare against the first, by name: three figures, each with an interval.
      CompareRunsResponse change =
          call(
              server,
              s ->
                  s.compareRuns(
                      CompareRunsRequest.newBuilder()
                          .setRunId(second)
                          .setBaselineRunId(first)
                          .build()));
      assertEquals(second, change.getChange().getRunId());
      for (var c :
          List.of(
              change.getChange().getSpeedup(),
              change.getChange().getSerialCost(),
              change.getChange().getParallelWall())) {
        assertTrue(c.getSamples() >= 1 && c.getBaselineSamples() >= 1, c.toString());
        assertTrue(c.getVerdict() != ChangeVerdict.CHANGE_VERDICT_UNSPECIFIED, c.toString());
      }
      // Runs of different workloads are refused by name.
      StatusRuntimeException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
              () ->
                  call(
                      server,
                      s ->
                          s.compareRuns(
                              CompareRunsRequest.newBuilder()
                                  .setRunId(profiled)
                                  .setBaselineRunId(first)
                                  .build())));
      assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
      assertTrue(
          refused.getStatus().getDescription().contains("are not runs of one workload"),
          refused.getStatus().getDescription());

      // Exports and the flame graph of a profile stored before the restart.
      HttpResponse<String> csv = get(httpPort, "/api/runs.csv");
      assertEquals(200, csv.statusCode());
      List<String> lines = csv.body().lines().toList();
      assertTrue(lines.get(0).startsWith("run_id,method,kernel,"), lines.get(0));
      assertEquals(5, lines.size(), csv.body()); // header and four runs
      HttpResponse<String> tasks = get(httpPort, "/api/runs/" + first + "/tasks.csv");
      assertEquals(9, tasks.body().lines().count(), tasks.body()); // header, 4 serial, 4 parallel
      HttpResponse<String> flame = get(httpPort, "/runs/" + profiled + "/flamegraph.html");
      assertEquals(200, flame.statusCode(), flame.body());
      assertEquals(livePage, flame.body(), "the stored stacks draw the page the live run drew");
      HttpResponse<byte[]> pprof =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + httpPort
                                  + "/runs/"
                                  + profiled
                                  + "/profile.pb.gz"))
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, pprof.statusCode());
      byte[] profile =
          new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(pprof.body()))
              .readAllBytes();
      // pprof's samples (field 2) are there, one per stored stack.
      assertTrue(
          !com.google.protobuf.UnknownFieldSet.parseFrom(profile)
              .getField(2)
              .getLengthDelimitedList()
              .isEmpty());
    }
  }

  @Test
  void aDatabaseThatCannotBeReached_neverStopsARun_andSaysWhy() throws Exception {
    int closed = freePort(); // nothing listens there
    String url = "jdbc:postgresql://127.0.0.1:" + closed + "/fibperf?user=x&password=secret";
    try (ServerProcess server = new ServerProcess("--database=" + url, "--workers=1")) {
      List<SerialResponse> out =
          call(server, s -> drain(s.serial(SerialRequest.newBuilder().addNums(25).build())));
      assertEquals("75025", out.get(out.size() - 1).getSummary().getResults(0).getValue());
      ListRunsResponse list = call(server, s -> s.listRuns(ListRunsRequest.getDefaultInstance()));
      assertEquals(false, list.getHistory().getEnabled());
      assertEquals(1, list.getRecentCount(), "the run is still listed, from memory");
      assertTrue(
          list.getHistory().getLastError().contains("127.0.0.1:" + closed)
              && !list.getHistory().getLastError().contains("secret"),
          list.getHistory().getLastError());
    }
  }

  private static long lastId(List<dev.fibperf.proto.v1.CompareResponse> responses) {
    return responses.get(responses.size() - 1).getComparison().getRunId();
  }

  private static RunInfo newest(ServerProcess server) {
    return call(server, s -> s.listRuns(ListRunsRequest.getDefaultInstance())).getRecent(0);
  }
}
