package dev.fibperf.server.compute;

/**
 * A kernel failed one task: it threw, overflowed its stack, ran out of memory, or returned nothing
 * or too much. The task (and its run) fails with a status that names the kernel and the cause; the
 * pool and every other run go on.
 */
public final class KernelFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String kernel;

  public KernelFailedException(String kernel, long size, Throwable cause) {
    super("kernel " + kernel + " failed at size " + size + ": " + describe(cause), cause);
    this.kernel = kernel;
  }

  public KernelFailedException(String kernel, long size, String what) {
    super("kernel " + kernel + " failed at size " + size + ": " + what);
    this.kernel = kernel;
  }

  /** A failure reported from elsewhere (a worker process), already worded. */
  public KernelFailedException(String kernel, String message) {
    super(message);
    this.kernel = kernel;
  }

  public String kernel() {
    return kernel;
  }

  private static String describe(Throwable t) {
    return t.getMessage() == null
        ? t.getClass().getName()
        : t.getClass().getName() + ": " + t.getMessage();
  }
}
