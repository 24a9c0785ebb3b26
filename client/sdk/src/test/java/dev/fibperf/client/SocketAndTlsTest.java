package dev.fibperf.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.SelfSignedCert;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK over real TCP sockets: retry through the service config, and TLS with a custom CA. */
class SocketAndTlsTest {
  /** Fails the first {@code failures} fibperf calls with UNAVAILABLE before any response. */
  static final class FlakyStart implements ServerInterceptor {
    final AtomicInteger attempts = new AtomicInteger();
    final int failures;

    FlakyStart(int failures) {
      this.failures = failures;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      if (call.getMethodDescriptor().getServiceName().equals("fibperf.v1.FibPerfService")
          && attempts.incrementAndGet() <= failures) {
        call.close(Status.UNAVAILABLE.withDescription("warming up"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }

  private static FibServer start(ServerBuilder<?> builder) throws Exception {
    return new FibServer(builder, ServerConfig.newBuilder().workers(2).build()).start();
  }

  @Test
  void unavailableBeforeTheFirstResponse_isRetriedByServiceConfig() throws Exception {
    FlakyStart flaky = new FlakyStart(2);
    FibServer server =
        start(Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).intercept(flaky));
    String target = "127.0.0.1:" + server.port();
    try (FibPerfClient client = FibPerfClient.create(FibPerfSettings.newBuilder(target).build())) {
      RunSummary summary = client.serial(Workload.of(20));

      assertEquals(3, flaky.attempts.get(), "two refusals, then success");
      assertEquals(1, summary.results().size());
    }
    try (FibPerfClient noRetry =
        FibPerfClient.create(FibPerfSettings.newBuilder(target).maxAttempts(1).build())) {
      flaky.attempts.set(0);
      FibPerfException e =
          assertThrows(
              FibPerfException.ServiceUnavailableException.class,
              () -> noRetry.serial(Workload.of(20)));
      assertEquals("UNAVAILABLE: warming up", e.getMessage());
    } finally {
      server.stop();
    }
  }

  @Test
  void tls_withACustomCa_servesAllCallStyles(@TempDir Path dir) throws Exception {
    SelfSignedCert tlsCert = SelfSignedCert.create(dir);
    Path cert = tlsCert.cert();
    Path key = tlsCert.key();
    FibServer server =
        start(
            Grpc.newServerBuilderForPort(
                0, TlsServerCredentials.create(cert.toFile(), key.toFile())));
    try (FibPerfClient client =
        FibPerfClient.create(
            FibPerfSettings.newBuilder("localhost:" + server.port())
                .tls(cert)
                .keepAlive(java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(5))
                .build())) {
      assertEquals(4, client.serial(Workload.DEFAULT).results().size());
      Comparison comparison =
          client.compareAsync(Workload.of(25, 26), CompareOptions.DEFAULT).get();
      assertEquals("121393", comparison.parallel().results().get(1).value().toString());
      assertEquals(ServingStatus.SERVING, client.health());
    }
    try (FibPerfClient untrusting =
        FibPerfClient.create(
            FibPerfSettings.newBuilder("localhost:" + server.port()).tls().build())) {
      FibPerfException e =
          assertThrows(
              FibPerfException.ServiceUnavailableException.class,
              () -> untrusting.serial(Workload.of(10)));
      assertTrue(e.getMessage().contains("certification path"), e.getMessage());
    }
    try (FibPerfClient plaintext =
        FibPerfClient.create(
            FibPerfSettings.newBuilder("localhost:" + server.port())
                .defaultDeadline(java.time.Duration.ofSeconds(10))
                .build())) {
      FibPerfException e =
          assertThrows(FibPerfException.class, () -> plaintext.serial(Workload.of(10)));
      assertTrue(e.getMessage().contains("connect with TLS"), e.getMessage());
    } finally {
      server.stop();
      Files.deleteIfExists(key);
    }
  }

  @Test
  void connectionFailures_sayWhatHappenedBelowGrpc() throws Exception {
    FibServer plaintextServer =
        start(Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()));
    int port = plaintextServer.port();
    try (FibPerfClient tls =
        FibPerfClient.create(FibPerfSettings.newBuilder("localhost:" + port).tls().build())) {
      FibPerfException e = assertThrows(FibPerfException.class, () -> tls.serial(Workload.of(10)));
      assertTrue(e.getMessage().contains("the server speaks plaintext"), e.getMessage());
      assertTrue(!e.getMessage().contains("Channel Pipeline"), e.getMessage());
    } finally {
      plaintextServer.stop();
    }
    try (FibPerfClient nobody =
        FibPerfClient.create(FibPerfSettings.newBuilder("localhost:" + port).build())) {
      FibPerfException e =
          assertThrows(FibPerfException.class, () -> nobody.serial(Workload.of(10)));
      assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
    }
  }
}
