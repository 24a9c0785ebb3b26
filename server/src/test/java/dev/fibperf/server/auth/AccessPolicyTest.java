package dev.fibperf.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fibperf.proto.v1.ArtifactChunk;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.ProfileOptions;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.SelfSignedCert;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * An access policy over real TLS, with a client CA and a tokens file: each kind of call with no
 * proof, the wrong proof, a known caller without the role, and the right one.
 */
class AccessPolicyTest {
  private static final String BOB = "bob-token-0123456789abcdef"; // compute only
  private static final String CAROL = "carol-token-0123456789abcdef"; // every role

  @TempDir static Path dir;
  private static FibServer server;
  private static SelfSignedCert serverCert;
  private static SelfSignedCert alice; // a client certificate, its own CA

  @BeforeAll
  static void start() throws Exception {
    serverCert = SelfSignedCert.create(Files.createDirectory(dir.resolve("server")));
    alice = SelfSignedCert.create(Files.createDirectory(dir.resolve("alice")), "alice");
    Path tokens = dir.resolve("tokens");
    Files.writeString(
        tokens, "# principal token [roles]\nbob " + BOB + " compute\ncarol " + CAROL + "\n");
    AuthPolicy policy =
        new AuthPolicy(
            Map.of(
                Role.COMPUTE, Requirement.TOKEN_OR_CERT,
                Role.PROFILE, Requirement.TOKEN,
                Role.RAW_JFR, Requirement.CERT,
                Role.WATCH, Requirement.TOKEN),
            Tokens.read(tokens));
    server =
        FibServer.newBuilder(
                Grpc.newServerBuilderForPort(
                    0,
                    TlsServerCredentials.newBuilder()
                        .keyManager(serverCert.cert().toFile(), serverCert.key().toFile())
                        .trustManager(alice.cert().toFile())
                        .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                        .build()),
                ServerConfig.newBuilder().workers(1).rawJfrEnabled(true).build())
            .auth(policy)
            .build()
            .start();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    server.stop();
  }

  @Test
  void eachKindOfCall_getsTheStatusItsProofEarns() throws Exception {
    Caller anonymous = caller(null, false);
    Caller stranger = caller("not-a-token-of-this-server", false);
    Caller bob = caller(BOB, false);
    Caller carol = caller(CAROL, false);
    Caller aliceCert = caller(null, true);
    Caller carolWithCert = caller(CAROL, true);
    try {
      SerialRequest serial = SerialRequest.newBuilder().addNums(10).build();
      ProfileSerialRequest profile = ProfileSerialRequest.newBuilder().addNums(20).build();
      ProfileSerialRequest rawJfr =
          profile.toBuilder()
              .setOptions(ProfileOptions.newBuilder().addArtifacts(ArtifactChunk.Format.FORMAT_JFR))
              .build();

      denied(
          Status.Code.UNAUTHENTICATED,
          "Serial (compute) needs a bearer token or a client certificate"
              + " (--auth-compute=token-or-cert)",
          () -> anonymous.stub().serial(serial).forEachRemaining(r -> {}));
      denied(
          Status.Code.UNAUTHENTICATED,
          "the bearer token is not one this server accepts (--tokens-file)",
          () -> stranger.stub().serial(serial).forEachRemaining(r -> {}));
      bob.stub().serial(serial).forEachRemaining(r -> {});
      aliceCert.stub().serial(serial).forEachRemaining(r -> {});
      denied(
          Status.Code.PERMISSION_DENIED,
          "token:bob may not profile: its roles are compute",
          () -> bob.stub().profileSerial(profile).forEachRemaining(r -> {}));
      denied(
          Status.Code.PERMISSION_DENIED,
          "token:bob may not profile: its roles are compute",
          () ->
              bob.stub()
                  .compare(
                      CompareRequest.newBuilder().setRounds(1).addNums(10).setProfile(true).build())
                  .forEachRemaining(r -> {}));
      denied(
          Status.Code.UNAUTHENTICATED,
          "ProfileSerial (profile) needs a bearer token (--auth-profile=token)",
          () -> aliceCert.stub().profileSerial(profile).forEachRemaining(r -> {}));
      carol.stub().profileSerial(profile).forEachRemaining(r -> {});
      denied(
          Status.Code.UNAUTHENTICATED,
          "ProfileSerial (raw-jfr) needs a client certificate (--auth-raw-jfr=cert)",
          () -> carol.stub().profileSerial(rawJfr).forEachRemaining(r -> {}));
      carolWithCert.stub().profileSerial(rawJfr).forEachRemaining(r -> {});
      denied(
          Status.Code.UNAUTHENTICATED,
          "ListRuns (watch) needs a bearer token (--auth-watch=token)",
          () -> anonymous.stub().listRuns(ListRunsRequest.getDefaultInstance()));
      // Judging runs reads every caller's runs and inputs: it is watching too.
      denied(
          Status.Code.UNAUTHENTICATED,
          "CompareRuns (watch) needs a bearer token (--auth-watch=token)",
          () ->
              anonymous
                  .stub()
                  .compareRuns(
                      dev.fibperf.proto.v1.CompareRunsRequest.newBuilder().setRunId(1).build()));
      assertEquals(
          4,
          carol.stub().listRuns(ListRunsRequest.getDefaultInstance()).getRecentCount(),
          "the four allowed calls ran; no refused one became a run");
      assertEquals(
          ServingStatus.SERVING,
          HealthGrpc.newBlockingStub(anonymous.channel())
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus(),
          "health stays open to probes");
    } finally {
      for (Caller c : new Caller[] {anonymous, stranger, bob, carol, aliceCert, carolWithCert}) {
        c.channel().shutdownNow();
      }
    }
  }

  private record Caller(
      ManagedChannel channel, FibPerfServiceGrpc.FibPerfServiceBlockingStub stub) {}

  private static Caller caller(String token, boolean withCertificate) throws Exception {
    TlsChannelCredentials.Builder tls =
        TlsChannelCredentials.newBuilder().trustManager(serverCert.cert().toFile());
    if (withCertificate) {
      tls.keyManager(alice.cert().toFile(), alice.key().toFile());
    }
    ChannelCredentials credentials = tls.build();
    ManagedChannel channel =
        Grpc.newChannelBuilder("localhost:" + server.port(), credentials).build();
    FibPerfServiceGrpc.FibPerfServiceBlockingStub stub =
        FibPerfServiceGrpc.newBlockingStub(channel);
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return new Caller(channel, stub);
  }

  private static void denied(Status.Code code, String description, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), e.toString());
    assertEquals(description, e.getStatus().getDescription());
  }
}
