package dev.fibperf.client;

/**
 * A piece of a profile artifact; the piece with {@code last} set completes it. {@link
 * ProfileResult#artifacts()} has them joined.
 *
 * @param format which artifact
 * @param data the bytes of this piece
 * @param last whether this completes the artifact
 */
public record ArtifactChunk(ArtifactFormat format, byte[] data, boolean last) implements FibEvent {}
