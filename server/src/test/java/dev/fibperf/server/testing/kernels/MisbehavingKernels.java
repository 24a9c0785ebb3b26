package dev.fibperf.server.testing.kernels;

import dev.fibperf.kernel.Cancellation;
import dev.fibperf.kernel.Kernel;
import dev.fibperf.kernel.KernelOutput;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

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

  /**
   * Tries to end the JVM it runs in, by the route {@code size % ROUTES} picks: a direct call, a
   * method reference, reflection, or a method handle. Every one must be refused.
   */
  public static final class Exits extends TestKernel {
    /** How many routes to {@code exit} there are: sizes 0 to 11 try each once. */
    public static final int ROUTES = 12;

    @Override
    public String name() {
      return "test-exits";
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      try {
        exit((int) (size % ROUTES));
      } catch (InvocationTargetException e) {
        throw new IllegalStateException(e.getCause());
      } catch (Throwable e) {
        if (e instanceof RuntimeException) {
          throw (RuntimeException) e;
        }
        throw new IllegalStateException(e);
      }
      return KernelOutput.text("route " + size % ROUTES + " did not exit");
    }

    private static void exit(int route) throws Throwable {
      Runtime runtime = Runtime.getRuntime();
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodType intToVoid = MethodType.methodType(void.class, int.class);
      switch (route) {
        case 0 -> Runtime.class.getDeclaredMethod("halt", int.class).invoke(runtime, 3);
        case 1 -> runtime.exit(3);
        case 2 -> runtime.halt(3);
        case 3 -> {
          IntConsumer exit = System::exit;
          exit.accept(3);
        }
        case 4 -> {
          IntConsumer halt = runtime::halt;
          halt.accept(3);
        }
        case 5 -> System.class.getMethod("exit", int.class).invoke(null, 3);
        case 6 -> System.exit(3); // size 30, which KernelsIT asks for
        case 7 -> {
          for (Method m : Class.forName("java.lang.System").getMethods()) {
            if (m.getName().equals("exit")) {
              m.invoke(null, 3);
            }
          }
          for (Method m : Runtime.class.getDeclaredMethods()) {
            if (m.getName().equals("halt")) {
              m.invoke(runtime, 3);
            }
          }
          throw new SecurityException("route 7: System and Runtime listed no exit to call");
        }
        case 8 -> lookup.findStatic(System.class, "exit", intToVoid).invoke(3);
        case 9 -> lookup.findVirtual(Runtime.class, "halt", intToVoid).invoke(runtime, 3);
        case 10 -> lookup.bind(runtime, "exit", intToVoid).invoke(3);
        default -> {
          MethodHandle exit =
              MethodHandles.publicLookup().findStatic(System.class, "exit", intToVoid);
          exit.invokeExact(3);
        }
      }
    }
  }

  /** Kills its own process with a signal: a way out no class loader can see. */
  public static final class KillsItsProcess extends TestKernel {
    @Override
    public String name() {
      return "test-kills-its-process";
    }

    @Override
    public KernelOutput compute(long size, Cancellation cancellation) {
      try {
        new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid()))
            .start()
            .waitFor();
        Thread.sleep(60_000);
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return KernelOutput.text("still alive");
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
          KillsItsProcess.class,
          OverflowsItsStack.class,
          Isolation.class);
}
