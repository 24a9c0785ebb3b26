package dev.fibperf.server.transport;

import static dev.fibperf.server.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportThreadsTest {
  @Test
  void onATransportThread_aTaskRunsAfterWhatThatThreadIsDoing_onTheSameThread() throws Exception {
    NettyServerBuilder builder = NettyServerBuilder.forPort(0).directExecutor();
    TransportThreads transport = TransportThreads.install(builder);
    Executor after = transport.afterCurrentRead();
    List<String> order = new CopyOnWriteArrayList<>();
    ServerInterceptor probe =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            String handling = Thread.currentThread().getName();
            after.execute(() -> order.add("deferred on " + Thread.currentThread().getName()));
            order.add("handled on " + handling);
            return next.startCall(call, headers);
          }
        };
    Server server =
        builder
            .addService(
                ServerInterceptors.intercept(new HealthStatusManager().getHealthService(), probe))
            .build()
            .start();
    ManagedChannel channel =
        Grpc.newChannelBuilder("127.0.0.1:" + server.getPort(), InsecureChannelCredentials.create())
            .build();
    try {
      HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
      await("the deferred task").until(() -> order.size() == 2);
      String thread = order.get(0).substring("handled on ".length());
      assertTrue(thread.startsWith("fibperf-transport"), thread);
      assertEquals(List.of("handled on " + thread, "deferred on " + thread), order);
    } finally {
      channel.shutdownNow();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      transport.close();
    }
  }

  @Test
  void elsewhere_aTaskRunsAtOnce() {
    TransportThreads transport = TransportThreads.install(NettyServerBuilder.forPort(0));
    try {
      List<String> ran = new CopyOnWriteArrayList<>();
      transport.afterCurrentRead().execute(() -> ran.add(Thread.currentThread().getName()));
      assertEquals(List.of(Thread.currentThread().getName()), ran);
    } finally {
      transport.close();
    }
  }
}
