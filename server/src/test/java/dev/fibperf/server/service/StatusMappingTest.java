package dev.fibperf.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.exec.process.WorkerDiedException;
import dev.fibperf.server.exec.process.WorkerStartException;
import dev.fibperf.server.run.RunRejectedException;
import io.grpc.Status;
import io.grpc.Status.Code;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatusMappingTest {
  private static RunRejectedException rejected(RunRejectedException.Reason reason)
      throws Exception {
    Constructor<RunRejectedException> c =
        RunRejectedException.class.getDeclaredConstructor(
            RunRejectedException.Reason.class, String.class);
    c.setAccessible(true);
    return c.newInstance(reason, "refused: " + reason);
  }

  static Stream<Arguments> causes() throws Exception {
    return Stream.of(
        Arguments.of(
            Status.INVALID_ARGUMENT.withDescription("nums[0]=99").asException(),
            false,
            Code.INVALID_ARGUMENT),
        Arguments.of(
            rejected(RunRejectedException.Reason.AT_CAPACITY), false, Code.RESOURCE_EXHAUSTED),
        Arguments.of(rejected(RunRejectedException.Reason.DRAINING), false, Code.UNAVAILABLE),
        Arguments.of(new CancellationException(), false, Code.CANCELLED),
        Arguments.of(new CancellationException(), true, Code.DEADLINE_EXCEEDED),
        Arguments.of(new WorkerDiedException("worker died"), false, Code.UNAVAILABLE),
        Arguments.of(
            new WorkerStartException("cannot start", new IOException("x")),
            false,
            Code.UNAVAILABLE),
        Arguments.of(new RejectedExecutionException("shut down"), false, Code.UNAVAILABLE),
        // A bug of ours is never the caller's fault, even when it is an IllegalArgumentException.
        Arguments.of(new IllegalArgumentException("bad index"), false, Code.INTERNAL),
        Arguments.of(new NullPointerException(), false, Code.INTERNAL),
        Arguments.of(new AssertionError("unreachable"), false, Code.INTERNAL));
  }

  @ParameterizedTest
  @MethodSource("causes")
  void eachCause_mapsToItsStatus(Throwable cause, boolean deadlineExpired, Code expected) {
    assertEquals(expected, StatusMapping.toStatus(cause, deadlineExpired).getCode());
  }

  @Test
  void aStatusFromValidation_passesThroughUnchanged() {
    Status invalid = Status.INVALID_ARGUMENT.withDescription("nums[2]=91 exceeds max n 50");

    assertSame(invalid, StatusMapping.toStatus(invalid.asException(), false));
  }

  @Test
  void anUnexpectedFailure_isInternal_keepsItsCause_andIsMarkedForTheLog() {
    IllegalStateException bug = new IllegalStateException("oops");

    Status status = StatusMapping.toStatus(bug, false);

    assertSame(bug, status.getCause());
    assertTrue(status.getDescription().contains("oops"), status.getDescription());
    assertTrue(StatusMapping.isInternal(status));
  }
}
