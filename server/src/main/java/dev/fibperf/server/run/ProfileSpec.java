package dev.fibperf.server.run;

import dev.fibperf.server.profile.Engine;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to profile a phase, already validated.
 *
 * @param samplingPeriod the execution sampler's period
 * @param top how many methods each hot-method view keeps
 * @param snapshotInterval how often a live snapshot is published while the phase runs; null for
 *     none
 * @param artifacts the files to render when the phase ends, in the order asked
 * @param engine the sampler asked for (a session falls back to JFR where it cannot run)
 */
public record ProfileSpec(
    Duration samplingPeriod,
    int top,
    Duration snapshotInterval,
    List<ArtifactFormat> artifacts,
    Engine engine) {
  public ProfileSpec {
    Objects.requireNonNull(samplingPeriod, "samplingPeriod");
    Objects.requireNonNull(engine, "engine");
    artifacts = List.copyOf(artifacts);
  }

  /** The same profile at another period. */
  public ProfileSpec withSamplingPeriod(Duration period) {
    return new ProfileSpec(period, top, snapshotInterval, artifacts, engine);
  }

  /** The same sampling, without live snapshots or artifacts (Compare's phase profiles). */
  public ProfileSpec summaryOnly() {
    return new ProfileSpec(samplingPeriod, top, null, List.of(), engine);
  }
}
