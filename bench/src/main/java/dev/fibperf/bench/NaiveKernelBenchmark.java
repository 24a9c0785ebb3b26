package dev.fibperf.bench;

import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.compute.CostModel;
import dev.fibperf.server.compute.FibKernels;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Naive recursion with and without the cancellation check, side by side in one run. Divide the time
 * per operation by {@link CostModel#naiveCalls} (fib(30): 2,692,537 calls) for ns per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NaiveKernelBenchmark {
  @Param({"30"})
  int n;

  /** Live token, never cancelled: the check reads a volatile like it does in service. */
  private final CancellationToken token = new CancellationToken();

  @Benchmark
  public long withoutCancellationCheck() {
    return FibKernels.naive(n);
  }

  @Benchmark
  public long withCancellationCheck() {
    return FibKernels.naive(n, token);
  }
}
