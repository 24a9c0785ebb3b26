package dev.fibperf.client;

import java.util.Map;

/**
 * The final event of ProfileSerial.
 *
 * @param run the serial run's outcome
 * @param profile the complete profile
 * @param artifacts each requested artifact, joined from its chunks
 */
public record ProfileResult(RunSummary run, Profile profile, Map<ArtifactFormat, byte[]> artifacts)
    implements FibEvent {
  public ProfileResult {
    artifacts = Map.copyOf(artifacts);
  }
}
