package dev.fibperf.server;

import dev.fibperf.server.auth.AuthPolicy;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.config.TransportLimits;
import dev.fibperf.server.http.HttpEndpoints;
import dev.fibperf.server.launch.AuthOptions;
import dev.fibperf.server.launch.ClusterOptions;
import dev.fibperf.server.launch.HttpOptions;
import dev.fibperf.server.launch.LogFormat;
import dev.fibperf.server.launch.ServerOptions;
import dev.fibperf.server.launch.TlsOptions;
import dev.fibperf.server.launch.TransportOptions;
import dev.fibperf.server.peer.ClusterCredentials;
import dev.fibperf.server.tracing.Tracing;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Command line entry point: flags (each with a {@code FIBPERF_*} environment variable) to a {@link
 * ServerConfig}, then serve until SIGTERM or SIGINT, drain, and exit 0.
 */
@Command(
    name = "fibperf-server",
    mixinStandardHelpOptions = true,
    version = "fibperf-server 0.1.0",
    sortOptions = false,
    description = "Serves fibperf.v1.FibPerfService: Serial, Parallel, ProfileSerial, Compare.",
    footer = {
      "",
      "Every option can also be set by the environment variable shown in its description.",
      "SIGTERM drains: health NOT_SERVING, new calls UNAVAILABLE, in-flight runs get",
      "--shutdown-grace to finish, the rest are cancelled, exit code 0."
    })
public final class Main implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  @Mixin ServerOptions server;
  @Mixin ClusterOptions clusterOptions;
  @Mixin HttpOptions http;
  @Mixin TlsOptions tls;
  @Mixin AuthOptions access;
  @Mixin TransportOptions transport;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ServerConfig config;
    TransportLimits limits;
    AuthPolicy auth;
    ClusterCredentials cluster;
    ServerCredentials credentials;
    try {
      config = server.config();
      limits = transport.limits();
      auth = access.policy(tls);
      cluster = config.peers().isEmpty() ? null : clusterOptions.credentials(tls);
      credentials = tls.credentials();
    } catch (IllegalArgumentException | IOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (http.httpPort() < -1 || http.httpPort() > 65_535) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--http-port=" + http.httpPort() + " outside [-1, 65535]");
    }
    LogFormat.install(http.logFormat());
    InetAddress address;
    try {
      address = InetAddress.getByName(http.bind());
    } catch (UnknownHostException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--bind=" + http.bind() + " is not an address of this host");
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FibServer.Builder parts =
        FibServer.newBuilder(
                TransportOptions.limited(
                    NettyServerBuilder.forAddress(
                        new InetSocketAddress(address, config.port()), credentials),
                    limits),
                config)
            .registry(registry)
            .observations(Tracing.fromEnvironment(System.getenv()))
            .auth(auth);
    if (cluster != null) {
      parts.cluster(cluster);
    }
    FibServer fibServer = parts.build();
    HttpEndpoints endpoints = null;
    try {
      fibServer.start();
      if (http.httpPort() >= 0) {
        endpoints =
            new HttpEndpoints(
                    new InetSocketAddress(address, http.httpPort()),
                    fibServer.lookup(),
                    registry.getPrometheusRegistry(),
                    config.maxWatchers(),
                    auth,
                    tls.httpsContext())
                .health(fibServer::isServing)
                .start();
        LOG.log(
            Level.INFO,
            "fibperf dashboard at {0}://{1}:{2,number,#}/ (metrics at /metrics)",
            new Object[] {
              tls.enabled() ? "https" : "http",
              address.isAnyLocalAddress() ? "localhost" : http.bind(),
              endpoints.port()
            });
      }
    } catch (IOException e) {
      System.err.println("fibperf-server: cannot listen: " + TlsOptions.rootMessage(e));
      fibServer.stop();
      return 1;
    }
    CountDownLatch drained = new CountDownLatch(1);
    Runnable drain =
        () -> {
          try {
            fibServer.stop();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            drained.countDown();
          }
        };
    // A signal handler rather than a shutdown hook: the JVM would exit 143 after a hook.
    for (String signal : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(
          new sun.misc.Signal(signal), s -> new Thread(drain, "fibperf-drain").start());
    }
    drained.await();
    if (endpoints != null) {
      endpoints.close();
    }
    return 0;
  }

  public static void main(String[] args) {
    LogFormat.install(LogFormat.Kind.TEXT); // until the options say otherwise
    int code = new CommandLine(new Main()).execute(args);
    System.exit(code);
  }
}
