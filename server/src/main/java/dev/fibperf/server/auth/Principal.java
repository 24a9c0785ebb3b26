package dev.fibperf.server.auth;

import java.util.Set;

/**
 * Who a call comes from, as proven: {@code token:<name>} from a bearer token, {@code
 * cert:<subject>} from a verified client certificate.
 */
public record Principal(String name, Set<Role> roles) {
  public Principal {
    roles = Set.copyOf(roles);
  }
}
