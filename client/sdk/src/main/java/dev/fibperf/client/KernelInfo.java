package dev.fibperf.client;

/**
 * A kernel a server runs ({@link FibPerfClient#listKernels()}): one of its built-in Fibonacci
 * kernels, or one loaded at its start from a {@code --kernels} jar.
 *
 * @param name what {@link Workload#withKernel(String)} names, e.g. {@code fib-naive}
 * @param version the kernel's own version
 * @param description one line: what it computes and what the size means
 * @param minSize the smallest size the server accepts for it
 * @param maxSize the largest (for the built-ins, narrowed by the server's {@code --max-n-*})
 * @param origin "built-in", or the jar it was loaded from
 * @param digest "built-in", or that jar's SHA-256 (lower-case hex)
 */
public record KernelInfo(
    String name,
    String version,
    String description,
    long minSize,
    long maxSize,
    String origin,
    String digest) {}
