package dev.fibperf.server.auth;

import java.util.EnumMap;
import java.util.Map;

/**
 * Which proof of identity each kind of call needs, and the tokens that count as proof. Without one
 * (the default) every kind is open, as it was: bind to loopback, or require tokens or client
 * certificates, before exposing the port.
 */
public record AuthPolicy(Map<Role, Requirement> requirements, Tokens tokens) {
  public static final AuthPolicy OPEN = new AuthPolicy(Map.of(), Tokens.none());

  public AuthPolicy {
    Map<Role, Requirement> all = new EnumMap<>(Role.class);
    for (Role r : Role.values()) {
      all.put(r, requirements.getOrDefault(r, Requirement.NONE));
    }
    requirements = Map.copyOf(all);
    for (Map.Entry<Role, Requirement> e : requirements.entrySet()) {
      if (e.getValue() == Requirement.TOKEN && tokens.isEmpty()) {
        throw new IllegalArgumentException(
            "--auth-" + e.getKey().flagName() + "=token needs tokens (--tokens-file)");
      }
    }
  }

  public Requirement requirement(Role role) {
    return requirements.get(role);
  }

  /** Whether any kind of call needs a client certificate (the server must then ask for one). */
  public boolean acceptsCertificates() {
    return requirements.values().stream().anyMatch(Requirement::acceptsCert);
  }

  public boolean isOpen() {
    return requirements.values().stream().allMatch(r -> r == Requirement.NONE);
  }
}
