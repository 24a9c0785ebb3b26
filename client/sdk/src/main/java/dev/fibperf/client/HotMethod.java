package dev.fibperf.client;

/**
 * A method in a profile.
 *
 * @param method {@code Class.method(ParamTypes)}
 * @param samples samples it was counted in
 * @param percent samples / total samples * 100
 */
public record HotMethod(String method, long samples, double percent) {}
