package dev.fibperf.server.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a caller may do; each kind of call needs one. */
public enum Role {
  /** Serial, Parallel and Compare. */
  COMPUTE,
  /** ProfileSerial, and Compare with profiling. */
  PROFILE,
  /** A profile's raw JFR recording, which holds other calls' samples too. */
  RAW_JFR,
  /** ListRuns, GetRun, WatchRuns and CompareRuns: every caller's runs and inputs. */
  WATCH;

  /**
   * The name in flags and token files: {@code compute}, {@code profile}, {@code raw-jfr}, {@code
   * watch}.
   */
  public String flagName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static Set<Role> parseAll(String list, String where) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : list.split(",")) {
      roles.add(parse(name, where));
    }
    return roles;
  }

  static Role parse(String name, String where) {
    for (Role r : values()) {
      if (r.flagName().equals(name.strip())) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        where + ": role " + name + " is not one of compute, profile, raw-jfr, watch");
  }
}
