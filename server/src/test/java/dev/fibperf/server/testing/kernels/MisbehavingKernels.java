package dev.fibperf.server.testing.kernels;

import dev.fibperf.kernel.Cancellation;
import dev.fibperf.kernel.Kernel;
import dev.fibperf.kernel.KernelOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernels that do what a user's kernel should not, packed into a jar by {@link KernelJar} and
 * loaded by a real server: each must fail only its own task and leave the server serving. They use
 * the kernel API and the JDK only, as a user's jar would.
 */
public final class MisbehavingKernels {
  private MisbehavingKernels() {}

  /** What every test kernel shares: a name and sizes 0..1000. */
  abstract static class TestKernel implements Kernel {
    @Override
    public String version() {
      return "test";
    }

    @Override
    public String description() {
      return "a kernel that misbehaves on purpose: " + name();
    }

    @Override
    public long minSize() {
      return 0;
    }

    @Override
    public long maxSize() {
      return 1000;
    }
  }

  /** Throws at once. */
  public static final class Throws extends TestKernel {
    @Override
    public String name() {
      return "test-throws";
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      throw new IllegalStateException("boom at " + size);
    }
  }

  /** Another class that takes {@link Throws}'s name: a second jar must not shadow the first. */
  public static final class SameNameAsThrows extends TestKernel {
    @Override
    public String name() {
      return "test-throws";
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      return KernelOutput.text("not me");
    }
  }

  /** Spins for {@code size} seconds and never looks at its cancellation. */
  public static final class IgnoresCancellation extends TestKernel {
    @Override
    public String name() {
      return "test-ignores-cancellation";
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      long until = System.nanoTime() + size * 1_000_000_000L;
      long spins = 0;
      while (System.nanoTime() < until) {
        spins++;
      }
      return KernelOutput.text(Long.toString(spins));
    }
  }

  /** Allocates until the heap is full. */
  public static final class AllocatesWithoutBound extends TestKernel {
    @Override
    public String name() {
      return "test-allocates";
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      List<long[]> hoard = new ArrayList<>();
      while (true) {
        hoard.add(new long[1 << 20]);
      }
    }
  }

  /** Ends the JVM it runs in. */
  public static final class Exits extends TestKernel {
    @Override
    public String name() {
      return "test-exits";
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      System.exit(3);
      return KernelOutput.text("unreachable");
    }
  }

  /** Recurses without end. */
  public static final class OverflowsItsStack extends TestKernel {
    @Override
    public String name() {
      return "test-overflows";
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      return KernelOutput.text(Long.toString(deeper(size)));
    }

    private static long deeper(long n) {
      return deeper(n + 1) + 1;
    }
  }

  /** Says whether it can see the server's gRPC classes (it should not). */
  public static final class Isolation extends TestKernel {
    @Override
    public String name() {
      return "test-isolation";
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      try {
        Class.forName("io.grpc.Server", false, getClass().getClassLoader());
        return KernelOutput.text("sees io.grpc.Server");
      } catch (ClassNotFoundException e) {
        return KernelOutput.text("isolated");
      }
    }
  }

  /** The kernel classes to list in the jar's {@code META-INF/services}. */
  public static final List<Class<? extends Kernel>> ALL =
      List.of(
          Throws.class,
          IgnoresCancellation.class,
          AllocatesWithoutBound.class,
          Exits.class,
          OverflowsItsStack.class,
          Isolation.class);
}
