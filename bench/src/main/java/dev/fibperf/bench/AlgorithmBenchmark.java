package dev.fibperf.bench;

import dev.fibperf.server.compute.CancellationToken;
import dev.fibperf.server.compute.FibKernels;
import java.math.BigInteger;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The "smarter algorithm" strategy: iterative and fast doubling, for small and large n. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AlgorithmBenchmark {
  @Param({"36", "1000", "10000"})
  int n;

  @Benchmark
  public BigInteger iterative() {
    return FibKernels.iterative(n, CancellationToken.NONE);
  }

  @Benchmark
  public BigInteger fastDoubling() {
    return FibKernels.fastDoubling(n, CancellationToken.NONE);
  }
}
