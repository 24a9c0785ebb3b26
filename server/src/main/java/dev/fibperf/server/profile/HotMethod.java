package dev.fibperf.server.profile;

/**
 * A method and how many samples it appeared in.
 *
 * @param method readable name, {@code Class.method(ParamTypes)}
 * @param samples samples counted for it
 * @param percent samples / total samples * 100
 */
public record HotMethod(String method, long samples, double percent) {}
