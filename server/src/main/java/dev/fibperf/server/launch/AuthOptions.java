package dev.fibperf.server.launch;

import dev.fibperf.server.auth.AuthPolicy;
import dev.fibperf.server.auth.Requirement;
import dev.fibperf.server.auth.Role;
import dev.fibperf.server.auth.Tokens;
import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Option;

/** Who may do what: the proof each role needs, and the tokens that count as proof. */
public final class AuthOptions {
  private static final Logger LOG = Logger.getLogger(AuthOptions.class.getName());

  @Option(
      names = "--tokens-file",
      paramLabel = "<file>",
      defaultValue = "${env:FIBPERF_TOKENS_FILE}",
      description =
          "Bearer tokens the server accepts: lines of <principal> <token> [role,role...]"
              + " (FIBPERF_TOKENS_FILE).")
  File tokensFile;

  @Option(
      names = "--auth-compute",
      paramLabel = "<proof>",
      defaultValue = "${env:FIBPERF_AUTH_COMPUTE:-none}",
      description =
          "What Serial, Parallel and Compare need: none, token, cert or token-or-cert (default"
              + " ${DEFAULT-VALUE}).")
  String authCompute;

  @Option(
      names = "--auth-profile",
      paramLabel = "<proof>",
      defaultValue = "${env:FIBPERF_AUTH_PROFILE:-none}",
      description = "What ProfileSerial and profiled Compares need (default ${DEFAULT-VALUE}).")
  String authProfile;

  @Option(
      names = "--auth-raw-jfr",
      paramLabel = "<proof>",
      defaultValue = "${env:FIBPERF_AUTH_RAW_JFR:-none}",
      description =
          "What a profile's raw JFR needs, besides --allow-raw-jfr (default ${DEFAULT-VALUE}).")
  String authRawJfr;

  @Option(
      names = "--auth-watch",
      paramLabel = "<proof>",
      defaultValue = "${env:FIBPERF_AUTH_WATCH:-none}",
      description =
          "What ListRuns, GetRun and WatchRuns (everyone's runs) need (default ${DEFAULT-VALUE}).")
  String authWatch;

  @Option(
      names = "--allow-plaintext-tokens",
      description =
          "Accept bearer tokens over plaintext from loopback clients (for tests on one machine)."
              + " Otherwise a token is accepted only over TLS: over plaintext anyone on the path"
              + " could read and replay it.")
  boolean allowPlaintextTokens;

  /** Whether a loopback client may send a token over plaintext (tests on one machine). */
  public boolean allowsPlaintextTokens() {
    return allowPlaintextTokens;
  }

  /**
   * @param tls the ports' TLS, which client certificates and bearer tokens need
   * @throws IllegalArgumentException if the policy cannot be met on these ports
   */
  public AuthPolicy policy(TlsOptions tls) throws IOException {
    Map<Role, Requirement> needs = new EnumMap<>(Role.class);
    needs.put(Role.COMPUTE, requirement("--auth-compute", authCompute));
    needs.put(Role.PROFILE, requirement("--auth-profile", authProfile));
    needs.put(Role.RAW_JFR, requirement("--auth-raw-jfr", authRawJfr));
    needs.put(Role.WATCH, requirement("--auth-watch", authWatch));
    AuthPolicy policy =
        new AuthPolicy(
            needs,
            tokensFile == null ? Tokens.none() : Tokens.read(tokensFile.toPath()),
            allowPlaintextTokens);
    if (policy.acceptsCertificates() && !tls.asksClientCertificates()) {
      throw new IllegalArgumentException(
          "a policy that accepts client certificates needs --tls-client-ca");
    }
    boolean takesTokens =
        Arrays.stream(Role.values()).anyMatch(r -> policy.requirement(r).acceptsToken());
    if (takesTokens && !tls.enabled() && !allowPlaintextTokens) {
      throw new IllegalArgumentException(
          "access rules that take bearer tokens need TLS (--tls-cert-chain): over plaintext a"
              + " token can be read and replayed; --allow-plaintext-tokens takes them from"
              + " loopback clients only, for tests");
    }
    if (allowPlaintextTokens && !tls.enabled()) {
      LOG.log(
          Level.WARNING,
          "--allow-plaintext-tokens: bearer tokens are accepted in the clear from loopback"
              + " clients; never expose this server");
    }
    return policy;
  }

  private static Requirement requirement(String flag, String value) {
    try {
      return Requirement.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + "=" + e.getMessage());
    }
  }
}
