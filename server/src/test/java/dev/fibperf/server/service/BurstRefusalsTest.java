package dev.fibperf.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.exec.TaskKernel;
import dev.fibperf.server.testing.FakeKernel;
import dev.fibperf.server.testing.RawBytes;
import io.grpc.CallOptions;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A burst of calls read at once, over a real socket: every refusal is sent before any admitted run
 * starts a task (admitted runs start behind the transport's read, and behind its flush), and
 * reaches the client before any admitted run's first message.
 *
 * <p>To make "read at once" certain rather than likely, the test first parks the connection's
 * transport thread in a call of its own; the burst piles up in the socket meanwhile and is read in
 * one go when that call returns.
 */
class BurstRefusalsTest {
  private static final int SLOTS = 2;
  private static final int BURST = 8;

  @Test
  void aBurstsRefusalsAreSentBeforeAnyAdmittedTaskStarts_andArriveFirst() throws Exception {
    FakeKernel gated = FakeKernel.gated();
    AtomicInteger refusalsSent = new AtomicInteger();
    List<Integer> refusalsSentAtTaskStart = new CopyOnWriteArrayList<>();
    TaskKernel kernel =
        (algorithm, task, token, context) -> {
          refusalsSentAtTaskStart.add(refusalsSent.get());
          return gated.compute(algorithm, task, token, context);
        };
    CountDownLatch parked = new CountDownLatch(1);
    NettyServerBuilder transport = NettyServerBuilder.forPort(0);
    transport
        .addService(parkingService(parked))
        .intercept(dawdleAfter(SLOTS))
        .intercept(countRefusals(refusalsSent));
    FibServer server =
        FibServer.newBuilder(
                transport,
                ServerConfig.newBuilder()
                    .workers(SLOTS)
                    .maxConcurrentRuns(SLOTS)
                    .profilingEnabled(false)
                    .build())
            .threadKernel(kernel)
            .build()
            .start();
    // Callbacks on the client's transport thread: the log's order is the order on the wire.
    ManagedChannel channel =
        Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
            .directExecutor()
            .build();
    List<String> arrivals = new CopyOnWriteArrayList<>();
    CountDownLatch allArrived = new CountDownLatch(BURST);
    CountDownLatch admittedDone = new CountDownLatch(SLOTS);
    try {
      ClientCalls.asyncUnaryCall(
          channel.newCall(PARK, CallOptions.DEFAULT), new byte[0], new NoopObserver<>());
      assertTrue(parked.await(30, TimeUnit.SECONDS));
      var stub = FibPerfServiceGrpc.newStub(channel);
      for (int i = 0; i < BURST; i++) {
        stub.serial(
            SerialRequest.newBuilder().addNums(5).build(),
            new StreamObserver<SerialResponse>() {
              boolean first = true;

              @Override
              public void onNext(SerialResponse value) {
                if (first) {
                  first = false;
                  arrivals.add("admitted");
                  allArrived.countDown();
                }
              }

              @Override
              public void onError(Throwable t) {
                Status s = Status.fromThrowable(t);
                arrivals.add(
                    s.getCode() == Status.Code.RESOURCE_EXHAUSTED ? "refused" : s.toString());
                allArrived.countDown();
              }

              @Override
              public void onCompleted() {
                admittedDone.countDown();
              }
            });
      }

      assertTrue(allArrived.await(30, TimeUnit.SECONDS), arrivals.toString());
      List<String> expected = new java.util.ArrayList<>();
      for (int i = 0; i < BURST - SLOTS; i++) {
        expected.add("refused");
      }
      for (int i = 0; i < SLOTS; i++) {
        expected.add("admitted");
      }
      assertEquals(expected, arrivals);
      assertTrue(gated.awaitStarted(SLOTS));
      assertEquals(List.of(BURST - SLOTS, BURST - SLOTS), refusalsSentAtTaskStart);

      gated.release(SLOTS);
      assertTrue(admittedDone.await(30, TimeUnit.SECONDS));
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }

  private static final MethodDescriptor<byte[], byte[]> PARK =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("fibperf.test.Park/Park")
          .setRequestMarshaller(RawBytes.MARSHALLER)
          .setResponseMarshaller(RawBytes.MARSHALLER)
          .build();

  /** Holds the transport thread that handles it for a second (handlers run on it). */
  private static ServerServiceDefinition parkingService(CountDownLatch parked) {
    return ServerServiceDefinition.builder("fibperf.test.Park")
        .addMethod(
            PARK,
            ServerCalls.asyncUnaryCall(
                (request, response) -> {
                  parked.countDown();
                  try {
                    Thread.sleep(1000);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  response.onNext(request);
                  response.onCompleted();
                }))
        .build();
  }

  /** Sleeps 50 ms on the transport thread as each Serial call after the first {@code n} starts. */
  private static ServerInterceptor dawdleAfter(int n) {
    AtomicInteger serials = new AtomicInteger();
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        if (call.getMethodDescriptor().getBareMethodName().equals("Serial")
            && serials.incrementAndGet() > n) {
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return next.startCall(call, headers);
      }
    };
  }

  /** Counts the calls closed with RESOURCE_EXHAUSTED, as the server closes them. */
  private static ServerInterceptor countRefusals(AtomicInteger refusals) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return next.startCall(
            new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
              @Override
              public void close(Status status, Metadata trailers) {
                super.close(status, trailers);
                if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                  refusals.incrementAndGet();
                }
              }
            },
            headers);
      }
    };
  }

  private static final class NoopObserver<T> implements StreamObserver<T> {
    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
