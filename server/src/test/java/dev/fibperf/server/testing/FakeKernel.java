package dev.fibperf.server.testing;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.exec.Task;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.exec.TaskKernel;
import dev.fibperf.server.exec.TaskTiming;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A kernel for tests about plumbing, not Fibonacci: each task blocks until the test releases it (or
 * its token is cancelled), then "computes" n itself in a reported {@code n} microseconds. What it
 * did is recorded, so a test can wait for the event instead of sleeping.
 */
public final class FakeKernel implements TaskKernel {
  private final boolean gated;
  private final ManualClock clock; // null: time does not move
  private volatile double cpuShare = 1.0;
  private volatile double coreWaitShare;
  private int releases; // guarded by this
  private final Semaphore startedCount = new Semaphore(0);
  private int cancelledCount; // guarded by this

  private FakeKernel(boolean gated, ManualClock clock) {
    this.gated = gated;
    this.clock = clock;
  }

  /** Every task finishes at once. */
  public static FakeKernel instant() {
    return new FakeKernel(false, null);
  }

  /** Every task waits for {@link #release(int)}. */
  public static FakeKernel gated() {
    return new FakeKernel(true, null);
  }

  /** Every task takes exactly {@code n} milliseconds of {@code clock}'s time, and reports it. */
  public static FakeKernel advancing(ManualClock clock) {
    return new FakeKernel(false, clock);
  }

  @Override
  public Result compute(
      Algorithm algorithm, Task task, CancellationToken token, TaskContext context) {
    startedCount.release();
    if (gated) {
      try (CancellationToken.Registration r = token.onCancel(this::wakeAll)) {
        synchronized (this) {
          while (releases == 0 && !token.isCancelled()) {
            wait();
          }
          if (releases == 0) {
            cancelledCount++;
            throw new CancellationException("cancelled while gated");
          }
          releases--;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("interrupted");
      }
    }
    if (clock != null) {
      clock.advance(Duration.ofMillis(task.n()));
      return result(task, TimeUnit.MILLISECONDS.toNanos(task.n()));
    }
    return result(task, TimeUnit.MICROSECONDS.toNanos(task.n()));
  }

  /** The task's value, with {@link #cpuShare} of its elapsed time as CPU time. */
  private Result result(Task task, long elapsedNanos) {
    return Result.onCallingThread(
        Integer.toString(task.n()),
        new TaskTiming(
            elapsedNanos,
            Math.round(elapsedNanos * cpuShare),
            Math.round(elapsedNanos * coreWaitShare)));
  }

  /**
   * From now on tasks report this share of their elapsed time as waiting for a core (default 0): a
   * hog holding the cores.
   */
  public FakeKernel coreWaitShare(double share) {
    this.coreWaitShare = share;
    return this;
  }

  /** From now on tasks report this share of their elapsed time as CPU time (default 1). */
  public FakeKernel cpuShare(double share) {
    this.cpuShare = share;
    return this;
  }

  /** Lets {@code tasks} more gated tasks finish. */
  public synchronized void release(int tasks) {
    releases += tasks;
    notifyAll();
  }

  private synchronized void wakeAll() {
    notifyAll();
  }

  /** Waits until {@code tasks} tasks (in all) have started; false after 10 s. */
  public boolean awaitStarted(int tasks) throws InterruptedException {
    if (startedCount.tryAcquire(tasks, 10, TimeUnit.SECONDS)) {
      startedCount.release(tasks);
      return true;
    }
    return false;
  }

  /** Tasks started so far, in all. */
  public int started() {
    return startedCount.availablePermits();
  }

  /** Tasks that stopped because their run was cancelled. */
  public synchronized int cancelled() {
    return cancelledCount;
  }
}
