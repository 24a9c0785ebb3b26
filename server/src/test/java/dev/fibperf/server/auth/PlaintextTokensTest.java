package dev.fibperf.server.auth;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.FakeKernel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bearer token over a plaintext gRPC connection is refused, whatever the call: anyone on the path
 * could have read it. Loopback clients may send one only where the operator allowed it
 * (--allow-plaintext-tokens), for tests on one machine.
 */
class PlaintextTokensTest {
  private static final String TOKEN = "carol-token-0123456789abcdef";

  @Test
  void aTokenOverPlaintext_isRefused_unlessAllowedForLoopback(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("tokens"), "carol " + TOKEN + "\n");
    AuthPolicy strict = new AuthPolicy(Map.of(Role.COMPUTE, Requirement.TOKEN), Tokens.read(file));

    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> serialWithToken(strict));
    assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
    assertEquals(
        "a bearer token over a plaintext connection is refused: anyone on the path can read and"
            + " replay it; connect with TLS (the server's --tls-cert-chain), or start the server"
            + " with --allow-plaintext-tokens for loopback tests",
        refused.getStatus().getDescription());

    assertEquals(1, serialWithToken(strict.allowingPlaintextTokensFromLoopback()));
  }

  /** Results of a Serial [5] sent with the token in its headers over plaintext loopback. */
  private static int serialWithToken(AuthPolicy policy) throws Exception {
    FibServer server =
        FibServer.newBuilder(
                Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()),
                ServerConfig.newBuilder().workers(1).profilingEnabled(false).build())
            .threadKernel(FakeKernel.instant())
            .auth(policy)
            .build()
            .start();
    ManagedChannel channel =
        Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
            .build();
    try {
      Metadata headers = new Metadata();
      headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + TOKEN);
      var responses =
          drain(
              FibPerfServiceGrpc.newBlockingStub(channel)
                  .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                  .withDeadlineAfter(30, TimeUnit.SECONDS)
                  .serial(SerialRequest.newBuilder().addNums(5).build()));
      assertTrue(responses.get(responses.size() - 1).hasSummary());
      return responses.get(responses.size() - 1).getSummary().getResultsCount();
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }
}
