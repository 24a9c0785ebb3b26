package dev.fibperf.server.exec.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Where the cluster pool's peers are: a DNS name whose addresses are the peers (a Kubernetes
 * headless Service: {@code dns:///fibperf-headless.default.svc.cluster.local:50051}), resolved
 * afresh at each discovery so replicas that come and go are found, or a fixed list {@code
 * host:port,host:port}. The same forms gRPC clients use, without a resolver of our own.
 */
public final class PeerTargets {
  private static final String DNS = "dns:///";

  private final String spec;
  private final List<HostPort> entries;
  private final boolean dns;

  private record HostPort(String host, int port) {}

  private PeerTargets(String spec, List<HostPort> entries, boolean dns) {
    this.spec = spec;
    this.entries = entries;
    this.dns = dns;
  }

  /**
   * @param spec {@code dns:///host:port}, or {@code host:port} entries separated by commas
   * @throws IllegalArgumentException naming the entry that is not {@code host:port}
   */
  public static PeerTargets parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    String trimmed = spec.strip();
    boolean dns = trimmed.toLowerCase(Locale.ROOT).startsWith(DNS);
    String list = dns ? trimmed.substring(DNS.length()) : trimmed;
    List<HostPort> entries = new ArrayList<>();
    for (String entry : list.split(",")) {
      entries.add(hostPort(entry.strip(), spec));
    }
    if (dns && entries.size() != 1) {
      throw new IllegalArgumentException(
          "peers=" + spec + ": a dns:/// target names one host:port");
    }
    return new PeerTargets(spec, List.copyOf(entries), dns);
  }

  private static HostPort hostPort(String entry, String spec) {
    int colon = entry.lastIndexOf(':');
    String host = colon < 0 ? "" : entry.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // [::1]:50051
    }
    int port = -1;
    if (colon >= 0) {
      try {
        port = Integer.parseInt(entry.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
    }
    if (host.isEmpty() || port < 1 || port > 65_535) {
      throw new IllegalArgumentException(
          "peers=" + spec + ": entry '" + entry + "' is not host:port with a port in [1, 65535]");
    }
    return new HostPort(host, port);
  }

  /**
   * The peers' addresses now: every address the DNS name has, or each listed host's first. Each
   * carries the host name it was resolved from ({@link InetSocketAddress#getHostString()}), which
   * its TLS certificate must name.
   *
   * @throws UnknownHostException if no entry resolves
   */
  public List<InetSocketAddress> resolve() throws UnknownHostException {
    Set<InetSocketAddress> addresses = new LinkedHashSet<>();
    UnknownHostException failure = null;
    for (HostPort entry : entries) {
      try {
        if (dns) {
          for (InetAddress a : InetAddress.getAllByName(entry.host())) {
            addresses.add(named(entry, a));
          }
        } else {
          addresses.add(named(entry, InetAddress.getByName(entry.host())));
        }
      } catch (UnknownHostException e) {
        failure = e;
      }
    }
    if (addresses.isEmpty() && failure != null) {
      throw failure;
    }
    return List.copyOf(addresses);
  }

  private static InetSocketAddress named(HostPort entry, InetAddress resolved)
      throws UnknownHostException {
    // The same address, with the name it came from: no reverse lookup will replace it.
    return new InetSocketAddress(
        InetAddress.getByAddress(entry.host(), resolved.getAddress()), entry.port());
  }

  @Override
  public String toString() {
    return spec;
  }
}
