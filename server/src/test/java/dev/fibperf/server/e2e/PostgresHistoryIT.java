package dev.fibperf.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.GetRunRequest;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.ListRunsResponse;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.server.history.RunStore;
import dev.fibperf.server.service.RunLookup;
import dev.fibperf.server.testing.Postgres;
import dev.fibperf.server.testing.ServerProcess;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Two packaged servers sharing one real PostgreSQL (started by the test): each sees the other's
 * runs, reads the other's run with its tasks, and no two runs share an id, though both ran at once.
 */
class PostgresHistoryIT {
  private static final int RUNS_EACH = 10;

  @Test
  void twoReplicasOnOnePostgres_seeEachOthersRuns_underIdsNeverShared() throws Exception {
    try (Postgres pg = Postgres.start();
        ServerProcess a = new ServerProcess("--database=" + pg.url(), "--workers=1");
        ServerProcess b = new ServerProcess("--database=" + pg.url(), "--workers=1")) {
      ExecutorService callers = Executors.newFixedThreadPool(4);
      List<Future<Long>> ids = new ArrayList<>();
      try {
        for (int i = 0; i < RUNS_EACH; i++) {
          int n = 18 + i;
          ids.add(callers.submit(() -> serial(a, n)));
          ids.add(callers.submit(() -> serial(b, n)));
        }
        Set<Long> distinct = new HashSet<>();
        for (Future<Long> id : ids) {
          assertTrue(distinct.add(id.get()), "run id " + id.get() + " given twice");
        }
      } finally {
        callers.shutdownNow();
      }
      Set<Long> all = new HashSet<>();
      for (Future<Long> id : ids) {
        all.add(id.get());
      }
      // Writes are off the runs' threads: each replica lists all twenty once both have written.
      for (ServerProcess replica : List.of(a, b)) {
        Awaitility.await().atMost(2, TimeUnit.MINUTES).until(() -> listed(replica).equals(all));
        ListRunsResponse list = list(replica);
        assertTrue(list.getHistory().getEnabled(), list.getHistory().toString());
        assertEquals(0, list.getHistory().getWritesFailed(), list.getHistory().toString());
        assertTrue(
            list.getHistory().getDatabase().startsWith("jdbc:postgresql://127.0.0.1:"),
            list.getHistory().getDatabase());
      }
      // B's watchers see A's runs finish, read from the history they share.
      ManagedChannel watching = channel(b);
      try {
        Iterator<dev.fibperf.proto.v1.WatchRunsResponse> watch =
            FibPerfServiceGrpc.newBlockingStub(watching)
                .withDeadlineAfter(2, TimeUnit.MINUTES)
                .watchRuns(dev.fibperf.proto.v1.WatchRunsRequest.getDefaultInstance());
        Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread reader =
            new Thread(
                () -> {
                  try {
                    while (watch.hasNext()) {
                      var event = watch.next();
                      if (event.hasFinished()) {
                        seen.add(event.getFinished().getRunId());
                      }
                    }
                  } catch (RuntimeException ended) {
                    // the channel was shut down
                  }
                });
        reader.setDaemon(true);
        reader.start();
        // A run on A, until one finishes after B's watch has begun (the call opens it
        // asynchronously); then B's watcher hears of it.
        long onA = 0;
        for (int attempt = 0; attempt < 10 && !seen.contains(onA); attempt++) {
          onA = serial(a, 31);
          long id = onA;
          try {
            Awaitility.await().atMost(15, TimeUnit.SECONDS).until(() -> seen.contains(id));
          } catch (org.awaitility.core.ConditionTimeoutException notYet) {
            // the watch was not open yet when the poll handed this run on
          }
        }
        assertTrue(seen.contains(onA), "B's watcher saw A's run " + onA + ": " + seen);
      } finally {
        watching.shutdownNow();
      }

      // A's runs read back from B, with their tasks and values.
      for (Future<Long> id : ids) {
        RunInfo run = get(b, id.get());
        assertEquals(1, run.getSummary().getResultsCount(), run.toString());
        assertEquals(
            String.valueOf(fib(run.getNums(0))), run.getSummary().getResults(0).getValue());
      }
    }
  }

  @Test
  void aDatabaseThatHangs_stallsOnlyTheReadsOfRuns_notTheCallsBesideThem() throws Exception {
    int httpPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      httpPort = s.getLocalPort();
    }
    try (Postgres pg = Postgres.start();
        ServerProcess server =
            new ServerProcess("--database=" + pg.url(), "--workers=1", "--http-port=" + httpPort)) {
      ManagedChannel c = channel(server);
      try {
        FibPerfServiceGrpc.FibPerfServiceStub async = FibPerfServiceGrpc.newStub(c);
        serial(server, 20); // the history is written to once, and answering
        pg.pause();
        try {
          // More reads than the server has readers and room for: each waits on the database.
          int reads = RunLookup.READERS + RunLookup.WAITING_READS + 4;
          List<CompletableFuture<Status>> ended = new ArrayList<>();
          for (int i = 0; i < reads; i++) {
            CompletableFuture<Status> done = new CompletableFuture<>();
            ended.add(done);
            async
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .listRuns(
                    ListRunsRequest.newBuilder().setPageSize(1000).build(),
                    new StreamObserver<ListRunsResponse>() {
                      @Override
                      public void onNext(ListRunsResponse value) {}

                      @Override
                      public void onError(Throwable t) {
                        done.complete(Status.fromThrowable(t));
                      }

                      @Override
                      public void onCompleted() {
                        done.complete(Status.OK);
                      }
                    });
          }
          // The reads wait on their own threads: a Serial on the same connection is answered.
          assertEquals(fib(25), serialValue(c, 25));
          // On the HTTP port too, only so many requests may wait on the history; health answers.
          java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
          List<CompletableFuture<Integer>> pages = new ArrayList<>();
          for (int i = 0; i < reads; i++) {
            pages.add(
                http.sendAsync(
                        get(httpPort, "/api/runs", 5),
                        java.net.http.HttpResponse.BodyHandlers.discarding())
                    .thenApply(java.net.http.HttpResponse::statusCode)
                    .exceptionally(timedOut -> 0));
          }
          assertEquals(
              200,
              http.send(
                      get(httpPort, "/healthz", 30),
                      java.net.http.HttpResponse.BodyHandlers.discarding())
                  .statusCode());
          List<Integer> statuses = new ArrayList<>();
          for (CompletableFuture<Integer> page : pages) {
            statuses.add(page.get(1, TimeUnit.MINUTES));
          }
          assertTrue(
              statuses.stream().filter(code -> code == 503).count() >= 4, statuses.toString());
          assertTrue(
              statuses.stream().allMatch(code -> code == 503 || code == 0), statuses.toString());
          List<Status.Code> codes = new ArrayList<>();
          for (CompletableFuture<Status> e : ended) {
            codes.add(e.get(1, TimeUnit.MINUTES).getCode());
          }
          // The reads past the readers and their queue are refused at once, by name.
          assertTrue(
              codes.stream().filter(code -> code == Status.Code.RESOURCE_EXHAUSTED).count() >= 4,
              codes.toString());
          assertTrue(
              codes.stream()
                  .allMatch(
                      code ->
                          code == Status.Code.RESOURCE_EXHAUSTED
                              || code == Status.Code.DEADLINE_EXCEEDED),
              codes.toString());
        } finally {
          pg.resume();
        }
        // And once the database answers again, so do the reads.
        assertTrue(
            FibPerfServiceGrpc.newBlockingStub(c)
                    .withDeadlineAfter(2, TimeUnit.MINUTES)
                    .listRuns(ListRunsRequest.getDefaultInstance())
                    .getRecentCount()
                >= 1);
      } finally {
        c.shutdownNow();
      }
    }
  }

  private static java.net.http.HttpRequest get(int port, String path, int timeoutSeconds) {
    return java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + port + path))
        .timeout(java.time.Duration.ofSeconds(timeoutSeconds))
        .build();
  }

  private static long serialValue(ManagedChannel c, int n) {
    Iterator<SerialResponse> out =
        FibPerfServiceGrpc.newBlockingStub(c)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .serial(SerialRequest.newBuilder().addNums(n).build());
    long value = -1;
    while (out.hasNext()) {
      SerialResponse r = out.next();
      if (r.hasSummary()) {
        value = Long.parseLong(r.getSummary().getResults(0).getValue());
      }
    }
    return value;
  }

  @Test
  void idBlocks_claimedAtOnceOnPostgres_neverOverlap() throws Exception {
    try (Postgres pg = Postgres.start();
        RunStore one = RunStore.open(pg.url());
        RunStore two = RunStore.open(pg.url())) {
      ExecutorService threads = Executors.newFixedThreadPool(4);
      try {
        List<Future<Long>> claims = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          claims.add(threads.submit((i % 2 == 0 ? one : two)::claimIds));
        }
        Set<Long> firsts = new HashSet<>();
        for (Future<Long> f : claims) {
          assertTrue(firsts.add(f.get()), "block from " + f.get() + " claimed twice");
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }

  private static long fib(int n) {
    long a = 0;
    long b = 1;
    for (int i = 0; i < n; i++) {
      long t = a + b;
      a = b;
      b = t;
    }
    return a;
  }

  private static ManagedChannel channel(ServerProcess s) {
    return Grpc.newChannelBuilder(s.target(), InsecureChannelCredentials.create()).build();
  }

  private static long serial(ServerProcess s, int n) {
    ManagedChannel c = channel(s);
    try {
      Iterator<SerialResponse> out =
          FibPerfServiceGrpc.newBlockingStub(c)
              .withDeadlineAfter(2, TimeUnit.MINUTES)
              .serial(SerialRequest.newBuilder().addNums(n).build());
      long id = 0;
      while (out.hasNext()) {
        SerialResponse r = out.next();
        if (r.hasSummary()) {
          id = r.getSummary().getRunId();
        }
      }
      return id;
    } finally {
      c.shutdownNow();
    }
  }

  private static ListRunsResponse list(ServerProcess s) {
    ManagedChannel c = channel(s);
    try {
      return FibPerfServiceGrpc.newBlockingStub(c)
          .withDeadlineAfter(1, TimeUnit.MINUTES)
          .listRuns(ListRunsRequest.getDefaultInstance());
    } finally {
      c.shutdownNow();
    }
  }

  private static Set<Long> listed(ServerProcess s) {
    Set<Long> ids = new HashSet<>();
    list(s).getRecentList().forEach(r -> ids.add(r.getRunId()));
    return ids;
  }

  private static RunInfo get(ServerProcess s, long id) {
    ManagedChannel c = channel(s);
    try {
      return FibPerfServiceGrpc.newBlockingStub(c)
          .withDeadlineAfter(1, TimeUnit.MINUTES)
          .getRun(GetRunRequest.newBuilder().setRunId(id).build())
          .getRun();
    } finally {
      c.shutdownNow();
    }
  }
}
