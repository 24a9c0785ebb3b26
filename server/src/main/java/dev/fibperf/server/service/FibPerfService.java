package dev.fibperf.server.service;

import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ParallelRequest;
import dev.fibperf.proto.v1.ParallelResponse;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.run.Runner;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.time.Duration;

/**
 * The {@code fibperf.v1.FibPerfService}: each RPC maps its request to a run spec, hands it to the
 * {@link Runner}, and maps the run's events to responses under flow control. No math, no
 * orchestration here.
 *
 * <p>Borrows the runner; {@code FibServer} owns it and what it runs on.
 */
public final class FibPerfService extends FibPerfServiceGrpc.FibPerfServiceImplBase {
  private final Runner runner;
  private final RequestMapper requests;
  private final OpenCalls openCalls = new OpenCalls();

  public FibPerfService(ServerConfig config, Runner runner) {
    this.requests = new RequestMapper(config);
    this.runner = runner;
  }

  /** This service with its access log, ready to add to a server. */
  public ServerServiceDefinition withAccessLog() {
    return ServerInterceptors.intercept(this, new AccessLogInterceptor());
  }

  @Override
  public void serial(SerialRequest request, StreamObserver<SerialResponse> observer) {
    call(observer).serve(() -> requests.serial(request), ResponseMapper.SERIAL);
  }

  @Override
  public void parallel(ParallelRequest request, StreamObserver<ParallelResponse> observer) {
    call(observer).serve(() -> requests.parallel(request), ResponseMapper.PARALLEL);
  }

  @Override
  public void profileSerial(
      ProfileSerialRequest request, StreamObserver<ProfileSerialResponse> observer) {
    call(observer).serve(() -> requests.profileSerial(request), ResponseMapper.PROFILE_SERIAL);
  }

  @Override
  public void compare(CompareRequest request, StreamObserver<CompareResponse> observer) {
    call(observer).serve(() -> requests.compare(request), ResponseMapper.COMPARE);
  }

  private <T> RpcCall<T> call(StreamObserver<T> observer) {
    return new RpcCall<>(runner, openCalls, observer);
  }

  /** From now on, new calls get UNAVAILABLE; calls already running carry on. */
  public void startDraining() {
    runner.startDraining();
  }

  /**
   * Waits until every fibperf call has finished its run and flushed its stream.
   *
   * @return false if {@code timeout} passed first
   */
  public boolean awaitCallsDone(Duration timeout) throws InterruptedException {
    return openCalls.awaitNone(timeout);
  }

  /** Calls doing work right now. */
  public int activeRuns() {
    return runner.activeRuns();
  }
}
