package dev.fibperf.server.service;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.server.config.ServerConfig;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of what the server does with a request body before any work: parse it
 * ({@link StrictRequests}, as the server does, for every service the port serves: fibperf's, the
 * cluster's PeerService, health and both reflections) and, for fibperf's, map it to a run spec
 * ({@link RequestMapper}). Every input must come out as a spec or as a status a client can act on,
 * never as an exception that gRPC would turn into UNKNOWN or INTERNAL.
 *
 * <p>Plain {@code mvn verify} replays the corpus in {@code src/test/resources/.../
 * RequestFuzzTestInputs/} (regression mode); with {@code JAZZER_FUZZ=1} (as CI sets) Jazzer
 * generates {@value #EXECUTIONS} inputs, and any failing one is written there to replay for good.
 */
class RequestFuzzTest {
  static final int EXECUTIONS = 100_000;

  private static final List<MethodDescriptor<?, ?>> METHODS =
      List.of(
          FibPerfServiceGrpc.getSerialMethod(),
          FibPerfServiceGrpc.getParallelMethod(),
          FibPerfServiceGrpc.getProfileSerialMethod(),
          FibPerfServiceGrpc.getCompareMethod(),
          dev.fibperf.proto.cluster.v1.PeerServiceGrpc.getComputeMethod(),
          dev.fibperf.proto.cluster.v1.PeerServiceGrpc.getCapacityMethod(),
          io.grpc.health.v1.HealthGrpc.getCheckMethod(),
          io.grpc.health.v1.HealthGrpc.getWatchMethod(),
          io.grpc.reflection.v1.ServerReflectionGrpc.getServerReflectionInfoMethod(),
          io.grpc.reflection.v1alpha.ServerReflectionGrpc.getServerReflectionInfoMethod());

  /** Statuses validation may answer with; each must say what is wrong. */
  private static final Set<Status.Code> PRECISE =
      Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.FAILED_PRECONDITION);

  // Profiling on and raw JFR off: both branches of the profile options get checked.
  private static final RequestMapper MAPPER =
      new RequestMapper(
          ServerConfig.newBuilder().workers(2).build(),
          dev.fibperf.server.compute.KernelCatalog.builtIn());

  @FuzzTest(maxExecutions = EXECUTIONS, maxDuration = "5m")
  void anyBody_becomesASpecOrAPreciseStatus(byte[] input) {
    if (input.length == 0) {
      return;
    }
    MethodDescriptor<?, ?> method = METHODS.get(Byte.toUnsignedInt(input[0]) % METHODS.size());
    byte[] body = Arrays.copyOfRange(input, 1, input.length);

    Status status = outcome(method, body);

    if (!status.isOk()) {
      assertTrue(
          PRECISE.contains(status.getCode()), () -> method.getBareMethodName() + ": " + status);
      assertNotNull(status.getDescription(), status::toString);
    }
  }

  /** What the server would answer before running anything: OK, or a status. */
  private static Status outcome(MethodDescriptor<?, ?> method, byte[] body) {
    StrictRequests.Parsed<?> parsed = StrictRequests.parse(method, new ByteArrayInputStream(body));
    if (parsed.problem() != null) {
      return StrictRequests.rejection(method, parsed.problem());
    }
    try {
      Object request = parsed.message();
      if (request instanceof SerialRequest r) {
        MAPPER.serial(r);
      } else if (request instanceof ParallelRequest r) {
        MAPPER.parallel(r);
      } else if (request instanceof ProfileSerialRequest r) {
        MAPPER.profileSerial(r);
      } else if (request instanceof CompareRequest r) {
        MAPPER.compare(r);
      } // the other services read what parses as it is
      return Status.OK;
    } catch (StatusException e) {
      return e.getStatus();
    }
  }
}
