package dev.fibperf.server.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FibKernelsTest {
  @Test
  void allAlgorithms_agreeWithTheOriginsValues() {
    int[] nums = {34, 35, 36, 35};
    long[] expected = {5_702_887L, 9_227_465L, 14_930_352L, 9_227_465L};
    for (Algorithm algorithm : Algorithm.BUILT_IN) {
      for (int i = 0; i < nums.length; i++) {
        assertEquals(
            Long.toString(expected[i]),
            algorithm.compute(nums[i], CancellationToken.NONE),
            algorithm + " fib(" + nums[i] + ")");
      }
    }
  }

  @Test
  void iterativeAndFastDoubling_agreeForSmallAndHugeN() {
    for (int n = 0; n <= 300; n++) {
      BigInteger iterative = FibKernels.iterative(n, CancellationToken.NONE);
      assertEquals(iterative, FibKernels.fastDoubling(n, CancellationToken.NONE), "n=" + n);
      if (n <= 30) {
        assertEquals(BigInteger.valueOf(FibKernels.naive(n)), iterative, "naive n=" + n);
      }
    }
    assertEquals(
        FibKernels.iterative(10_000, CancellationToken.NONE),
        FibKernels.fastDoubling(10_000, CancellationToken.NONE));
  }

  @Test
  void fib93_isExactBeyond64Bits() {
    assertEquals(
        "12200160415121876738", Algorithm.FAST_DOUBLING.compute(93, CancellationToken.NONE));
    assertEquals("12200160415121876738", Algorithm.ITERATIVE.compute(93, CancellationToken.NONE));
  }

  @Test
  void naive_alreadyCancelled_throwsBeforeWorking() {
    CancellationToken token = new CancellationToken();
    token.cancel();
    assertThrows(CancellationException.class, () -> FibKernels.naive(60, token));
    assertThrows(CancellationException.class, () -> FibKernels.iterative(5_000, token));
    assertThrows(CancellationException.class, () -> FibKernels.fastDoubling(5_000, token));
  }

  @Test
  void naive_cancelledMidway_stopsWithin50ms() throws Exception {
    CancellationToken token = new CancellationToken();
    CountDownLatch started = new CountDownLatch(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread worker =
        new Thread(
            () -> {
              started.countDown();
              try {
                FibKernels.naive(60, token); // hours of work if it never stopped
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    worker.start();
    started.await();

    token.cancel();
    worker.join(10_000);

    // fib(60) takes hours: a worker that is done stopped at a cancellation check.
    assertTrue(!worker.isAlive(), "worker still running");
    assertTrue(thrown.get() instanceof CancellationException, String.valueOf(thrown.get()));
  }

  @Test
  void costModel_countsNaiveCalls() {
    assertEquals(1, CostModel.naiveCalls(0));
    assertEquals(1, CostModel.naiveCalls(1));
    assertEquals(3, CostModel.naiveCalls(2));
    assertEquals(2.0 * 24_157_817 - 1, CostModel.naiveCalls(36));
    assertEquals(7_540_113_804_746_346_429L, CostModel.fib(92));
  }
}
