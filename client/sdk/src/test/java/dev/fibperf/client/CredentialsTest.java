package dev.fibperf.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fibperf.server.FibServer;
import dev.fibperf.server.auth.AuthPolicy;
import dev.fibperf.server.auth.Requirement;
import dev.fibperf.server.auth.Role;
import dev.fibperf.server.auth.Tokens;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.SelfSignedCert;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK's bearer token and client certificate against a server whose calls need one. */
class CredentialsTest {
  private static final String TOKEN = "sdk-test-token-0123456789";

  @Test
  void aBearerTokenOverTls_andAClientCertificate_eachEarnTheCall(@TempDir Path dir)
      throws Exception {
    SelfSignedCert serverCert = SelfSignedCert.create(Files.createDirectory(dir.resolve("server")));
    SelfSignedCert client =
        SelfSignedCert.create(Files.createDirectory(dir.resolve("client")), "app");
    Path tokens = Files.writeString(dir.resolve("tokens"), "app " + TOKEN + "\n");
    FibServer server =
        FibServer.newBuilder(
                Grpc.newServerBuilderForPort(
                    0,
                    TlsServerCredentials.newBuilder()
                        .keyManager(serverCert.cert().toFile(), serverCert.key().toFile())
                        .trustManager(client.cert().toFile())
                        .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                        .build()),
                ServerConfig.newBuilder().workers(1).profilingEnabled(false).build())
            .auth(
                new AuthPolicy(
                    Map.of(Role.COMPUTE, Requirement.TOKEN_OR_CERT), Tokens.read(tokens)))
            .build()
            .start();
    FibPerfSettings tls =
        FibPerfSettings.newBuilder("localhost:" + server.port()).tls(serverCert.cert()).build();
    try (FibPerfClient anonymous = FibPerfClient.create(tls);
        FibPerfClient withToken = FibPerfClient.create(tls.toBuilder().bearerToken(TOKEN).build());
        FibPerfClient withCert =
            FibPerfClient.create(
                tls.toBuilder().clientCertificate(client.cert(), client.key()).build())) {
      FibPerfException refused =
          assertThrows(FibPerfException.class, () -> anonymous.serial(Workload.of(10)));

      assertEquals(Status.Code.UNAUTHENTICATED, refused.status().getCode());
      assertEquals("55", withToken.serial(Workload.of(10)).results().get(0).value().toString());
      assertEquals("55", withCert.serial(Workload.of(10)).results().get(0).value().toString());
    } finally {
      server.stop();
    }
  }

  @Test
  void aBearerToken_isNeverSentWithoutTls() throws Exception {
    FibServer server =
        FibServer.newBuilder(
                Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()),
                ServerConfig.newBuilder().workers(1).profilingEnabled(false).build())
            .build()
            .start();
    try (FibPerfClient client =
        FibPerfClient.create(
            FibPerfSettings.newBuilder("127.0.0.1:" + server.port()).bearerToken(TOKEN).build())) {
      FibPerfException e =
          assertThrows(FibPerfException.class, () -> client.serial(Workload.of(10)));

      assertEquals(Status.Code.UNAUTHENTICATED, e.status().getCode());
      assertEquals(
          "refusing to send a bearer token over a connection without TLS (settings.tls())",
          e.status().getDescription());
    } finally {
      server.stop();
    }
    assertThrows(
        IllegalStateException.class,
        () ->
            FibPerfSettings.newBuilder("x:1")
                .clientCertificate(Path.of("c.pem"), Path.of("k.pem"))
                .build());
  }
}
