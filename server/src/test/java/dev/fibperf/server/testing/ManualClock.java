package dev.fibperf.server.testing;

import dev.fibperf.server.exec.RunClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test (or a {@link FakeKernel}) says so: both readings agree. */
public final class ManualClock implements RunClock {
  private final Instant origin;
  private final AtomicLong nanos = new AtomicLong();

  public ManualClock(Instant origin) {
    this.origin = origin;
  }

  public void advance(Duration by) {
    nanos.addAndGet(by.toNanos());
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public Instant now() {
    return origin.plusNanos(nanos.get());
  }
}
