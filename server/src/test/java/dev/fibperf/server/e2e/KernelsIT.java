package dev.fibperf.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.Comparison;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.FibPerfServiceGrpc.FibPerfServiceBlockingStub;
import dev.fibperf.proto.v1.HotMethod;
import dev.fibperf.proto.v1.KernelInfo;
import dev.fibperf.proto.v1.ListKernelsRequest;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.PoolKind;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import dev.fibperf.proto.v1.RunSummary;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.proto.v1.TaskFinished;
import dev.fibperf.server.testing.ServerProcess;
import dev.fibperf.server.testing.kernels.KernelJar;
import dev.fibperf.server.testing.kernels.MisbehavingKernels;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Users' kernels in the packaged server, on a real socket: the example jar and a jar of kernels
 * that misbehave, loaded with {@code --kernels}; values checked against independent implementations
 * on both pools; each misbehaviour fails its own call and the server goes on.
 */
class KernelsIT {
  @TempDir static Path dir;
  private static ServerProcess server;
  private static ManagedChannel channel;
  private static FibPerfServiceBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    Path misbehaving = KernelJar.write(dir.resolve("misbehaving.jar"), MisbehavingKernels.ALL);
    server =
        new ServerProcess(
            // A heap a kernel on threads can exhaust in a moment, as test-allocates does.
            Map.of("JDK_JAVA_OPTIONS", "-Xmx512m"),
            "--workers=2",
            "--worker-kill-grace=1s",
            "--kernels=" + KernelJar.examples() + "," + misbehaving);
    channel = Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
    stub = FibPerfServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.close();
  }

  private static FibPerfServiceBlockingStub call() {
    return stub.withDeadlineAfter(2, TimeUnit.MINUTES);
  }

  private static RunSummary serial(String kernel, PoolKind pool, Integer... nums) {
    Iterator<SerialResponse> it =
        call()
            .serial(
                SerialRequest.newBuilder()
                    .setKernel(kernel)
                    .setPool(pool)
                    .addAllNums(List.of(nums))
                    .build());
    RunSummary summary = null;
    while (it.hasNext()) {
      SerialResponse r = it.next();
      if (r.hasSummary()) {
        summary = r.getSummary();
      }
    }
    return summary;
  }

  @Test
  void listKernels_namesTheBuiltInsAndEveryLoadedOne() {
    List<KernelInfo> kernels =
        call().listKernels(ListKernelsRequest.getDefaultInstance()).getKernelsList();
    assertEquals(
        List.of(
            "fib-naive",
            "fib-iterative",
            "fib-fast-doubling",
            "fib-memo",
            "pbkdf2-sha256",
            "prime-count",
            "test-throws",
            "test-ignores-cancellation",
            "test-allocates",
            "test-exits",
            "test-kills-its-process",
            "test-overflows",
            "test-isolation"),
        kernels.stream().map(KernelInfo::getName).toList());
    KernelInfo pbkdf2 = kernels.get(4);
    assertEquals(1, pbkdf2.getMinSize());
    assertEquals(10_000_000, pbkdf2.getMaxSize());
    assertEquals(64, pbkdf2.getDigest().length());
    assertTrue(pbkdf2.getOrigin().endsWith(".jar"), pbkdf2.getOrigin());
  }

  @ParameterizedTest
  @EnumSource(
      value = PoolKind.class,
      names = {"POOL_KIND_THREADS", "POOL_KIND_PROCESSES"})
  void pbkdf2_matchesTheJdksSecretKeyFactory_onBothPools(PoolKind pool) throws Exception {
    RunSummary s = serial("pbkdf2-sha256", pool, 1, 1000, 4096);
    SecretKeyFactory jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
    for (TaskFinished t : s.getResultsList()) {
      byte[] expected =
          jdk.generateSecret(
                  new PBEKeySpec(
                      "correct horse battery staple".toCharArray(),
                      ("fibperf-pbkdf2-" + t.getN()).getBytes(StandardCharsets.UTF_8),
                      t.getN(),
                      256))
              .getEncoded();
      assertEquals(HexFormat.of().formatHex(expected), t.getValue(), "iterations " + t.getN());
    }
    assertEquals("pbkdf2-sha256", s.getKernel());
  }

  @ParameterizedTest
  @EnumSource(
      value = PoolKind.class,
      names = {"POOL_KIND_THREADS", "POOL_KIND_PROCESSES"})
  void primeCount_matchesKnownValues_onBothPools(PoolKind pool) {
    Iterator<ParallelResponse> it =
        call()
            .parallel(
                ParallelRequest.newBuilder()
                    .setKernel("prime-count")
                    .setPool(pool)
                    .addAllNums(List.of(1_000_000, 10_000_000, 100))
                    .build());
    RunSummary s = null;
    while (it.hasNext()) {
      ParallelResponse r = it.next();
      if (r.hasSummary()) {
        s = r.getSummary();
      }
    }
    assertEquals(
        List.of("78498", "664579", "25"),
        s.getResultsList().stream().map(TaskFinished::getValue).toList());
  }

  @Test
  void aProfile_findsTheHotMethodInTheUsersCode() {
    Iterator<ProfileSerialResponse> it =
        call()
            .profileSerial(
                ProfileSerialRequest.newBuilder()
                    .setKernel("pbkdf2-sha256")
                    .addAllNums(List.of(200_000, 200_000))
                    .build());
    ProfileSerialResponse last = null;
    while (it.hasNext()) {
      last = it.next();
    }
    List<HotMethod> total = last.getSummary().getProfile().getTotalList();
    assertTrue(
        total.stream()
            .anyMatch(
                m ->
                    m.getMethod().startsWith("dev.fibperf.examples.Pbkdf2Kernel.derive(")
                        && m.getPercent() > 50),
        total.toString());
  }

  @Test
  void aCompare_ofALoadedKernel_hasRoundsAVerdictAndAnEstimate() {
    Iterator<CompareResponse> it =
        call()
            .compare(
                CompareRequest.newBuilder()
                    .setKernel("prime-count")
                    .addAllNums(List.of(3_000_000, 4_000_000, 3_000_000, 4_000_000))
                    .setRounds(5)
                    .build());
    Comparison c = null;
    while (it.hasNext()) {
      CompareResponse r = it.next();
      if (r.hasComparison()) {
        c = r.getComparison();
      }
    }
    assertEquals(5, c.getRoundsCount());
    assertEquals("prime-count", c.getSerial().getKernel());
    // Whatever the load: every round has its speedup, and the estimate counts every round.
    assertTrue(
        c.getRoundsList().stream().allMatch(r -> r.getSpeedup() > 0), c.getRoundsList().toString());
    assertEquals(
        5, c.getEstimate().getRoundsUsed() + c.getEstimate().getRoundsExcluded(), c.toString());
    assertTrue(
        c.getEstimate().getRoundsUsed() == 0 || c.getEstimate().getSpeedup() > 0, c.toString());
    assertTrue(c.getVerdict() != dev.fibperf.proto.v1.Verdict.VERDICT_UNSPECIFIED, c.toString());
    assertTrue(Durations.toNanos(c.getOptimalMakespan()) > 0, c.toString());
  }

  @Test
  void badKernelRequests_getPreciseStatuses() {
    StatusRuntimeException unknown =
        assertThrows(
            StatusRuntimeException.class, () -> serial("nope", PoolKind.POOL_KIND_THREADS, 1));
    assertEquals(Status.Code.INVALID_ARGUMENT, unknown.getStatus().getCode());
    assertTrue(unknown.getStatus().getDescription().startsWith("kernel=\"nope\" is not one of"));
    StatusRuntimeException range =
        assertThrows(
            StatusRuntimeException.class,
            () -> serial("pbkdf2-sha256", PoolKind.POOL_KIND_THREADS, 0));
    assertEquals(
        "nums[0]=0 is outside [1, 10000000], the sizes kernel pbkdf2-sha256 accepts",
        range.getStatus().getDescription());
  }

  @Test
  void theKernelsLoader_hidesTheServersClasses() {
    assertEquals(
        "isolated",
        serial("test-isolation", PoolKind.POOL_KIND_THREADS, 1).getResults(0).getValue());
    assertEquals(
        "isolated",
        serial("test-isolation", PoolKind.POOL_KIND_PROCESSES, 1).getResults(0).getValue());
  }

  /** Each misbehaviour: its own call fails with a status naming the cause; the next one works. */
  private static void failsAlone(
      String kernel, PoolKind pool, Status.Code code, String mentions, long deadlineSeconds) {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> {
              Iterator<SerialResponse> it =
                  stub.withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
                      .serial(
                          SerialRequest.newBuilder()
                              .setKernel(kernel)
                              .setPool(pool)
                              .addNums(30)
                              .build());
              while (it.hasNext()) {
                it.next();
              }
            });
    assertEquals(code, e.getStatus().getCode(), kernel + " on " + pool + ": " + e.getStatus());
    assertTrue(
        e.getStatus().getDescription().contains(mentions),
        kernel + " on " + pool + ": " + e.getStatus());
    // The pool healed: the built-in kernel still computes on it.
    assertEquals(
        "832040", serial("fib-naive", pool, 30).getResults(0).getValue(), kernel + " on " + pool);
  }

  @Test
  void aKernelThatThrows_failsOnlyItsCall_onBothPools() {
    failsAlone(
        "test-throws",
        PoolKind.POOL_KIND_THREADS,
        Status.Code.UNKNOWN,
        "kernel test-throws failed at size 30: java.lang.IllegalStateException: boom at 30",
        120);
    failsAlone(
        "test-throws",
        PoolKind.POOL_KIND_PROCESSES,
        Status.Code.UNKNOWN,
        "kernel test-throws failed at size 30: java.lang.IllegalStateException: boom at 30",
        120);
  }

  @Test
  void aStackOverflow_andAnExhaustedHeap_failOnlyTheirCall_onBothPools() {
    for (PoolKind pool : List.of(PoolKind.POOL_KIND_THREADS, PoolKind.POOL_KIND_PROCESSES)) {
      failsAlone("test-overflows", pool, Status.Code.UNKNOWN, "java.lang.StackOverflowError", 120);
      failsAlone(
          "test-allocates",
          pool,
          Status.Code.UNKNOWN,
          "kernel test-allocates failed at size 30: java.lang.OutOfMemoryError",
          120);
    }
  }

  @Test
  void aKernelThatCallsExit_failsOnlyItsCall_onBothPools() {
    for (PoolKind pool : List.of(PoolKind.POOL_KIND_THREADS, PoolKind.POOL_KIND_PROCESSES)) {
      failsAlone(
          "test-exits",
          pool,
          Status.Code.UNKNOWN,
          "kernel test-exits failed at size 30: java.lang.SecurityException: System.exit(3) refused:"
              + " a kernel may not end the server it runs in",
          120);
    }
  }

  @Test
  void aKernelThatKillsItsProcess_losesOnlyItsWorkerProcess() {
    failsAlone(
        "test-kills-its-process",
        PoolKind.POOL_KIND_PROCESSES,
        Status.Code.UNAVAILABLE,
        "worker",
        120);
  }

  @Test
  void aKernelThatIgnoresCancellation_isStoppedByKillingItsWorker() {
    // 30 s of spinning, a 3 s deadline: the worker is killed a second after the cancel.
    failsAlone(
        "test-ignores-cancellation",
        PoolKind.POOL_KIND_PROCESSES,
        Status.Code.DEADLINE_EXCEEDED,
        "deadline",
        3);
  }
}
