package dev.fibperf.server.exec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How long the calling thread has been runnable but not running, waiting for a core: Linux's
 * per-thread scheduler statistics ({@code /proc/thread-self/schedstat}, its second field, the run
 * delay, in nanoseconds since the thread started). The operating system measures it at every
 * context switch, so it names the cause of a wait no elapsed-time arithmetic can: another thread
 * had the core.
 *
 * <p>Where the file does not exist (another OS, a kernel without scheduler statistics), {@link
 * #available()} is false and readings are -1; callers then fall back to elapsed minus CPU time and
 * say so ({@link Source#ELAPSED_MINUS_CPU}).
 *
 * <p>Each thread keeps its file open (a read is one {@code pread}, about a microsecond); a thread's
 * file closes when the thread is gone and collected.
 */
public final class CoreWait {
  private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");
  private static final boolean AVAILABLE = probe();

  /** What a core wait figure was measured with. */
  public enum Source {
    /** The scheduler's own run delay of the thread. */
    SCHEDSTAT,
    /** Elapsed time minus the thread's CPU time: also counts time blocked, not only waiting. */
    ELAPSED_MINUS_CPU,
    /** Neither could be measured. */
    NONE
  }

  private static final class Reader {
    final FileChannel channel;
    final ByteBuffer buffer = ByteBuffer.allocate(128);
    long last = -1;

    Reader(FileChannel channel) {
      this.channel = channel;
    }
  }

  // Opened by each thread itself: /proc/thread-self names the thread that opens it.
  private static final ThreadLocal<Reader> READER =
      ThreadLocal.withInitial(
          () -> {
            try {
              return new Reader(FileChannel.open(SCHEDSTAT, StandardOpenOption.READ));
            } catch (IOException | UnsupportedOperationException e) {
              return null;
            }
          });

  private CoreWait() {}

  /** Whether this OS reports threads' run delay. */
  public static boolean available() {
    return AVAILABLE;
  }

  /**
   * The calling thread's run delay since it started, in nanoseconds, or -1 where the OS does not
   * report it. It counts waits that have ended: a thread reading it is running. Every reading is
   * also the thread's latest mark ({@link #sinceLastMark()}, {@link #lastMark()}): one ledger per
   * thread, so two readings never measure the same wait twice.
   */
  public static long nanos() {
    if (!AVAILABLE) {
      return -1;
    }
    Reader reader = READER.get();
    if (reader == null) {
      return -1;
    }
    long now = read(reader);
    if (now >= 0) {
      reader.last = now;
    }
    return now;
  }

  /**
   * The calling thread's run delay at its latest reading, without reading it again: 0 before its
   * first (the thread's run delay when it started), -1 where the OS does not report it.
   */
  public static long lastMark() {
    if (!AVAILABLE) {
      return -1;
    }
    Reader reader = READER.get();
    return reader == null ? -1 : Math.max(0, reader.last);
  }

  /**
   * The calling thread's run delay since its previous reading (since the thread started, on its
   * first), or -1 where the OS does not report it. For a pool thread that calls it when it takes up
   * and when it puts down each task, the figure at take-up is its wait for a core on being woken.
   */
  public static long sinceLastMark() {
    long previous = lastMark();
    long now = nanos();
    return previous < 0 || now < 0 ? -1 : Math.max(0, now - previous);
  }

  private static long read(Reader reader) {
    try {
      reader.buffer.clear();
      int n = reader.channel.read(reader.buffer, 0);
      return n <= 0 ? -1 : runDelay(reader.buffer.array(), n);
    } catch (IOException e) {
      return -1;
    }
  }

  /** The second of the space-separated decimal fields: "cpu_ns run_delay_ns timeslices". */
  static long runDelay(byte[] line, int length) {
    int i = 0;
    while (i < length && line[i] != ' ') {
      i++;
    }
    i++;
    long value = 0;
    boolean digits = false;
    for (; i < length && line[i] >= '0' && line[i] <= '9'; i++) {
      value = value * 10 + (line[i] - '0');
      digits = true;
    }
    return digits ? value : -1;
  }

  private static boolean probe() {
    try {
      byte[] line = Files.readAllBytes(SCHEDSTAT);
      return runDelay(line, line.length) >= 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
