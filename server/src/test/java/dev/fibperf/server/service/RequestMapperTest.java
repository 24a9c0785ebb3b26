package dev.fibperf.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Duration;
import dev.fibperf.proto.v1.Algorithm;
import dev.fibperf.proto.v1.ArtifactChunk;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ProfileOptions;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.server.compute.KernelCatalog;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.run.ArtifactFormat;
import dev.fibperf.server.run.RunKind;
import dev.fibperf.server.run.RunSpec;
import io.grpc.Status.Code;
import io.grpc.StatusException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Request to run spec: defaults, and a precise status for every bad field. */
class RequestMapperTest {
  private final RequestMapper mapper =
      new RequestMapper(
          ServerConfig.newBuilder().workers(2).maxTasks(10).build(), KernelCatalog.builtIn());

  @FunctionalInterface
  interface Call {
    RunSpec map(RequestMapper m) throws StatusException;
  }

  private static Arguments bad(String what, Call call, Code code, String message) {
    return Arguments.of(what, call, code, message);
  }

  private static ProfileSerialRequest profiled(ProfileOptions.Builder options) {
    return ProfileSerialRequest.newBuilder().setOptions(options).build();
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        bad(
            "n over the naive limit",
            m -> m.serial(SerialRequest.newBuilder().addAllNums(List.of(10, 51)).build()),
            Code.INVALID_ARGUMENT,
            "nums[1]=51 exceeds max n 50 for algorithm ALGORITHM_NAIVE (--max-n-naive)"),
        bad(
            "uint32 above 2^31",
            m -> m.serial(SerialRequest.newBuilder().addNums(-1).build()),
            Code.INVALID_ARGUMENT,
            "nums[0]=4294967295 exceeds max n 50"),
        bad(
            "too many tasks",
            m ->
                m.serial(
                    SerialRequest.newBuilder()
                        .addAllNums(List.of(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1))
                        .build()),
            Code.INVALID_ARGUMENT,
            "nums has 11 entries, exceeds max tasks 10 (--max-tasks)"),
        bad(
            "unknown algorithm",
            m -> m.serial(SerialRequest.newBuilder().setAlgorithmValue(9).build()),
            Code.INVALID_ARGUMENT,
            "algorithm=9 is not one of"),
        bad(
            "unknown pool",
            m -> m.serial(SerialRequest.newBuilder().setPoolValue(7).build()),
            Code.INVALID_ARGUMENT,
            "pool=7 is not one of"),
        bad(
            "parallelism above the workers",
            m -> m.parallel(ParallelRequest.newBuilder().setParallelism(3).build()),
            Code.INVALID_ARGUMENT,
            "parallelism=3 exceeds the pool's 2 workers (--workers)"),
        bad(
            "Compare counts both runs against the work limit",
            m -> m.compare(CompareRequest.newBuilder().addAllNums(List.of(50, 50, 50, 50)).build()),
            Code.INVALID_ARGUMENT,
            "(2 runs), exceeds max"),
        bad(
            "sampling period too fine",
            m ->
                m.profileSerial(
                    profiled(
                        ProfileOptions.newBuilder()
                            .setSamplingPeriod(Duration.newBuilder().setNanos(1000)))),
            Code.INVALID_ARGUMENT,
            "options.sampling_period=PT0.000001S outside [PT0.001S, PT0.1S]"),
        bad(
            "a duration protobuf calls invalid",
            m ->
                m.profileSerial(
                    profiled(
                        ProfileOptions.newBuilder()
                            .setSamplingPeriod(
                                Duration.newBuilder().setSeconds(Long.MIN_VALUE).setNanos(-1)))),
            Code.INVALID_ARGUMENT,
            "options.sampling_period={seconds: -9223372036854775808"),
        bad(
            "snapshot interval past the limit",
            m ->
                m.profileSerial(
                    profiled(
                        ProfileOptions.newBuilder()
                            .setSnapshotInterval(
                                Duration.newBuilder().setSeconds(9_300_000_000L)))),
            Code.INVALID_ARGUMENT,
            "options.snapshot_interval=PT2583333H20M outside"),
        bad(
            "top too large",
            m -> m.profileSerial(profiled(ProfileOptions.newBuilder().setTop(1001))),
            Code.INVALID_ARGUMENT,
            "options.top=1001 exceeds max 1000"),
        bad(
            "unspecified artifact",
            m -> m.profileSerial(profiled(ProfileOptions.newBuilder().addArtifactsValue(0))),
            Code.INVALID_ARGUMENT,
            "options.artifacts[0]=0 is not one of"),
        bad(
            "raw JFR is off by default",
            m ->
                m.profileSerial(
                    profiled(
                        ProfileOptions.newBuilder().addArtifacts(ArtifactChunk.Format.FORMAT_JFR))),
            Code.FAILED_PRECONDITION,
            "(--allow-raw-jfr)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void aBadField_getsAStatusNamingFieldValueAndLimit(
      String what, Call call, Code code, String message) {
    StatusException e = assertThrows(StatusException.class, () -> call.map(mapper));

    assertEquals(code, e.getStatus().getCode());
    String description = e.getStatus().getDescription();
    assertEquals(true, description.contains(message), description);
  }

  @Test
  void anEmptyRequest_getsTheOriginsInputs_naive_onThreads() throws Exception {
    RunSpec spec = mapper.serial(SerialRequest.getDefaultInstance());

    assertEquals(RunKind.SERIAL, spec.kind());
    assertEquals(RequestMapper.DEFAULT_NUMS, spec.tasks().stream().map(t -> t.n()).toList());
    assertEquals(dev.fibperf.server.compute.Algorithm.NAIVE, spec.algorithm());
    assertEquals(PoolKind.THREADS, spec.pool());
    assertEquals(1, spec.parallelism());
    assertNull(spec.profile());
  }

  @Test
  void parallelismZero_asksForEveryWorker_resolvedWhenThePhaseLeasesItsPool() throws Exception {
    RunSpec spec = mapper.compare(CompareRequest.newBuilder().setProfile(true).build());

    // 0 = all the pool's workers; ActiveRun resolves it against the lease (FibPerfServiceTest runs
    // such a Compare on both workers).
    assertEquals(0, spec.parallelism());
    assertEquals(List.of(), spec.profile().artifacts(), "Compare asks for no artifacts");
  }

  @Test
  void profileOptions_defaultAndDeduplicate() throws Exception {
    RunSpec spec =
        mapper.profileSerial(
            profiled(
                ProfileOptions.newBuilder()
                    .addArtifacts(ArtifactChunk.Format.FORMAT_COLLAPSED)
                    .addArtifacts(ArtifactChunk.Format.FORMAT_COLLAPSED)));

    assertEquals(List.of(ArtifactFormat.COLLAPSED), spec.profile().artifacts());
    assertEquals(RequestMapper.DEFAULT_TOP, spec.profile().top());
    assertEquals(RequestMapper.DEFAULT_SNAPSHOT_INTERVAL, spec.profile().snapshotInterval());
  }

  /**
   * Unasked, the period comes from the run's expected length: 4 ms (about 250 samples a second, at
   * most 3 % with async-profiler) for runs that get 200 samples at it, finer for shorter ones.
   */
  @Test
  void theDefaultPeriod_followsTheExpectedRunLength_andAnAskedOneWins() throws Exception {
    java.util.function.Function<List<Integer>, java.time.Duration> period =
        nums -> {
          try {
            return mapper
                .profileSerial(ProfileSerialRequest.newBuilder().addAllNums(nums).build())
                .profile()
                .samplingPeriod();
          } catch (io.grpc.StatusException e) {
            throw new AssertionError(e);
          }
        };
    // 6 x fib(40): 2.0e9 naive calls, about 2.4 s.
    assertEquals(java.time.Duration.ofMillis(4), period.apply(List.of(40, 40, 40, 40, 40, 40)));
    // fib(42): 8.7e8 calls, about 1.04 s: 4 ms gives 260 samples.
    assertEquals(java.time.Duration.ofMillis(4), period.apply(List.of(42)));
    // fib(41): 5.4e8 calls, about 0.64 s: 4 ms would give 161 samples, 3 ms gives 214.
    assertEquals(java.time.Duration.ofMillis(3), period.apply(List.of(41)));
    // fib(40): 3.3e8 calls, about 0.4 s: 200 samples need a period under 2 ms, so 1 ms.
    assertEquals(java.time.Duration.ofMillis(1), period.apply(List.of(40)));
    assertEquals(java.time.Duration.ofMillis(1), period.apply(List.of(20)));
    assertEquals(
        java.time.Duration.ofMillis(1), dev.fibperf.server.profile.SamplingPolicy.defaultPeriod(0));
    assertEquals(
        java.time.Duration.ofMillis(2),
        dev.fibperf.server.profile.SamplingPolicy.defaultPeriod(
            2 * 200 * 1e6 / dev.fibperf.server.profile.SamplingPolicy.NANOS_PER_NAIVE_CALL));
    assertEquals(
        java.time.Duration.ofMillis(10),
        mapper
            .profileSerial(
                profiled(
                    ProfileOptions.newBuilder()
                        .setSamplingPeriod(
                            com.google.protobuf.Duration.newBuilder().setNanos(10_000_000))))
            .profile()
            .samplingPeriod());
    assertEquals(
        java.time.Duration.ofMillis(4),
        mapper
            .compare(
                dev.fibperf.proto.v1.CompareRequest.newBuilder()
                    .addAllNums(List.of(40, 40, 40, 40, 40, 40))
                    .setProfile(true)
                    .build())
            .profile()
            .samplingPeriod());
  }

  @Test
  void profilingOff_isAFailedPrecondition() {
    RequestMapper off =
        new RequestMapper(
            ServerConfig.newBuilder().workers(2).profilingEnabled(false).build(),
            KernelCatalog.builtIn());

    StatusException e =
        assertThrows(
            StatusException.class,
            () -> off.compare(CompareRequest.newBuilder().setProfile(true).build()));

    assertEquals(Code.FAILED_PRECONDITION, e.getStatus().getCode());
  }

  @Test
  void everyWireAlgorithm_mapsBothWays() {
    for (dev.fibperf.server.compute.Algorithm a :
        dev.fibperf.server.compute.Algorithm.BUILT_IN.stream()
            .filter(dev.fibperf.server.compute.Algorithm::namedByAlgorithm)
            .toList()) {
      Algorithm wire = Protos.algorithm(a);
      assertEquals(a, Protos.algorithm(wire));
    }
  }
}
