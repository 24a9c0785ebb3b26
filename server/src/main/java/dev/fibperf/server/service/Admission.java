package dev.fibperf.server.service;

import io.grpc.Status;
import io.grpc.StatusException;
import java.util.concurrent.Semaphore;

/** Caps the runs doing work at once; one permit per call, held until its workers are free. */
final class Admission {
  private final int limit;
  private final Semaphore permits;

  Admission(int limit) {
    this.limit = limit;
    this.permits = new Semaphore(limit);
  }

  /**
   * @throws StatusException RESOURCE_EXHAUSTED naming the limit, if every permit is taken
   */
  void acquire() throws StatusException {
    if (!permits.tryAcquire()) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              "concurrent runs at max "
                  + limit
                  + " (--max-concurrent-runs); retry when a run finishes")
          .asException();
    }
  }

  void release() {
    permits.release();
  }

  /** Runs in progress. */
  int active() {
    return limit - permits.availablePermits();
  }
}
