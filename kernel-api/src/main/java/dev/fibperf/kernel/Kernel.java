package dev.fibperf.kernel;

/**
 * A CPU-bound computation fibperf can run as tasks: profile serially, run in parallel on a pool of
 * threads or worker processes, and compare. Each task computes one result from one {@code long}
 * size parameter ({@code nums} in a request).
 *
 * <p>fibperf finds kernels with {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/dev.fibperf.kernel.Kernel} of your jar and start the server with {@code
 * --kernels your.jar}. The class needs a public no-argument constructor. One instance computes many
 * tasks at once, on several threads: keep it stateless, or make its state thread-safe and bounded.
 *
 * <p>fibperf measures what {@link #compute} costs; it needs no cost model. A kernel may still offer
 * a {@link #costHint} so that the largest tasks are handed out first before anything is measured.
 */
public interface Kernel {
  /**
   * What requests call it: lower-case letters, digits and hyphens, starting with a letter, at most
   * 64 characters (e.g. {@code "pbkdf2-sha256"}). Unique among a server's kernels.
   */
  String name();

  /** Its version, shown beside its name (e.g. {@code "1.0.0"}). */
  String version();

  /** One line saying what it computes and what the size parameter means. */
  String description();

  /** The smallest size it accepts. */
  long minSize();

  /**
   * The largest size it accepts: the server refuses larger ones before running anything, so choose
   * a bound that keeps one task within what you would let one caller spend.
   */
  long maxSize();

  /**
   * Computes the result for {@code size}, which fibperf has checked against {@link #minSize()} and
   * {@link #maxSize()}. Check {@code cancellation} in long loops: a caller that has gone or run out
   * of time should not keep a core busy. A kernel that never checks it still stops on the process
   * pool, whose worker is killed, but runs to its end on threads.
   *
   * @throws java.util.concurrent.CancellationException when {@code cancellation} says to stop
   *     ({@link Cancellation#check()} throws it)
   */
  KernelOutput compute(long size, Cancellation cancellation) throws Exception;

  /**
   * The relative cost of {@code size}, used only to order tasks before any is measured (largest
   * first); only ratios between sizes of one kernel matter. Default: the size itself.
   */
  default double costHint(long size) {
    return size;
  }

  /**
   * For a kernel that keeps a cache across tasks: its figures so far; null (the default) for one
   * that keeps none. Must be cheap and thread-safe.
   */
  default CacheStats cache() {
    return null;
  }
}
