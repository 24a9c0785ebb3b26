package dev.fibperf.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to profile.
 *
 * <pre>{@code
 * ProfileOptions o = ProfileOptions.DEFAULT.withArtifacts(ArtifactFormat.FLAMEGRAPH_HTML);
 * }</pre>
 *
 * @param samplingPeriod JFR sampling period; null means the finest the server's JVM honours
 * @param top methods per view; 0 means 15
 * @param snapshotInterval interval of live snapshots; null means the server's 500 ms
 * @param artifacts artifacts to send with the profile
 * @param engine what takes the samples; null means the server's default
 */
public record ProfileOptions(
    Duration samplingPeriod,
    int top,
    Duration snapshotInterval,
    List<ArtifactFormat> artifacts,
    ProfilingEngine engine) {
  /** Finest period, top 15, snapshots every 500 ms, no artifacts, the server's engine. */
  public static final ProfileOptions DEFAULT = new ProfileOptions(null, 0, null, List.of(), null);

  /** Options with the server's engine. */
  public ProfileOptions(
      Duration samplingPeriod, int top, Duration snapshotInterval, List<ArtifactFormat> artifacts) {
    this(samplingPeriod, top, snapshotInterval, artifacts, null);
  }

  /** These options with an engine: {@code DEFAULT.withEngine(ProfilingEngine.JFR)}. */
  public ProfileOptions withEngine(ProfilingEngine engine) {
    return new ProfileOptions(samplingPeriod, top, snapshotInterval, artifacts, engine);
  }

  public ProfileOptions {
    artifacts = List.copyOf(Objects.requireNonNull(artifacts, "artifacts"));
    if (top < 0) {
      throw new IllegalArgumentException("top=" + top + " is negative");
    }
  }

  /** These options with {@code top} methods per view: {@code DEFAULT.withTop(5)}. */
  public ProfileOptions withTop(int top) {
    return new ProfileOptions(samplingPeriod, top, snapshotInterval, artifacts, engine);
  }

  /** These options with a sampling period: {@code DEFAULT.withSamplingPeriod(ofMillis(10))}. */
  public ProfileOptions withSamplingPeriod(Duration period) {
    return new ProfileOptions(period, top, snapshotInterval, artifacts, engine);
  }

  /**
   * These options with a snapshot interval: {@code DEFAULT.withSnapshotInterval(ofMillis(250))}.
   */
  public ProfileOptions withSnapshotInterval(Duration interval) {
    return new ProfileOptions(samplingPeriod, top, interval, artifacts, engine);
  }

  /** These options asking for artifacts: {@code DEFAULT.withArtifacts(COLLAPSED)}. */
  public ProfileOptions withArtifacts(ArtifactFormat... formats) {
    return new ProfileOptions(samplingPeriod, top, snapshotInterval, List.of(formats), engine);
  }
}
