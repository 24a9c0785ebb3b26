package dev.fibperf.client.internal;

import dev.fibperf.client.FibPerfSettings;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Channels as {@link FibPerfSettings} describe them: credentials, keep-alive, retry and balancing
 * (gRPC's service config), and the settings' interceptors and call credentials on every call. Not
 * API: may change in any release.
 */
public final class Channels {
  private static final String SERVICE = FibPerfServiceGrpc.SERVICE_NAME;

  private Channels() {}

  /**
   * A channel to {@code settings.target()}, after {@code customizer} has set what the settings do
   * not cover.
   *
   * @throws UncheckedIOException if the TLS files cannot be read
   */
  public static ManagedChannel open(
      FibPerfSettings settings, Consumer<ManagedChannelBuilder<?>> customizer) {
    ManagedChannelBuilder<?> builder =
        Grpc.newChannelBuilder(settings.target(), credentials(settings))
            .maxInboundMessageSize(settings.maxInboundMessageBytes());
    settings
        .keepAliveTime()
        .ifPresent(t -> builder.keepAliveTime(t.toNanos(), TimeUnit.NANOSECONDS));
    settings
        .keepAliveTimeout()
        .ifPresent(t -> builder.keepAliveTimeout(t.toNanos(), TimeUnit.NANOSECONDS));
    builder.defaultServiceConfig(serviceConfig(settings));
    if (settings.maxAttempts() > 1) {
      builder.enableRetry();
    } else {
      builder.disableRetry();
    }
    customizer.accept(builder);
    ManagedChannel channel = builder.build();
    return channel;
  }

  /** The channel with the settings' interceptors and call credentials on every call. */
  public static Channel decorated(Channel channel, FibPerfSettings settings) {
    List<ClientInterceptor> interceptors = new ArrayList<>();
    settings
        .callCredentials()
        .ifPresent(
            credentials ->
                interceptors.add(
                    new ClientInterceptor() {
                      @Override
                      public <Q, R> ClientCall<Q, R> interceptCall(
                          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                        return next.newCall(method, options.withCallCredentials(credentials));
                      }
                    }));
    // ClientInterceptors.intercept runs the last one first: reversed, the first listed is
    // outermost.
    List<ClientInterceptor> outermostLast = new ArrayList<>(settings.interceptors());
    java.util.Collections.reverse(outermostLast);
    interceptors.addAll(outermostLast);
    return interceptors.isEmpty() ? channel : ClientInterceptors.intercept(channel, interceptors);
  }

  private static ChannelCredentials credentials(FibPerfSettings settings) {
    if (!settings.tls()) {
      return InsecureChannelCredentials.create();
    }
    if (settings.trustCertificates().isEmpty() && settings.clientCertificateChain().isEmpty()) {
      return TlsChannelCredentials.create();
    }
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
    try {
      if (settings.trustCertificates().isPresent()) {
        tls.trustManager(settings.trustCertificates().get().toFile());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read CA certificates", e);
    }
    try {
      if (settings.clientCertificateChain().isPresent()) {
        tls.keyManager(
            settings.clientCertificateChain().get().toFile(),
            settings.clientPrivateKey().orElseThrow().toFile());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the client certificate or key", e);
    }
    return tls.build();
  }

  /**
   * Retry, and with round_robin the balancing and health checking: gRPC's service config. gRPC
   * retries UNAVAILABLE only until the first response arrives, so a retry duplicates no event.
   */
  private static Map<String, ?> serviceConfig(FibPerfSettings settings) {
    Map<String, Object> config = new java.util.HashMap<>();
    if (settings.maxAttempts() > 1) {
      Map<String, Object> retryPolicy =
          Map.of(
              "maxAttempts",
              (double) settings.maxAttempts(),
              "initialBackoff",
              "0.1s",
              "maxBackoff",
              "1s",
              "backoffMultiplier",
              2.0,
              "retryableStatusCodes",
              List.of("UNAVAILABLE"));
      config.put(
          "methodConfig",
          List.of(Map.of("name", List.of(Map.of("service", SERVICE)), "retryPolicy", retryPolicy)));
    }
    config.put("loadBalancingConfig", List.of(Map.of(settings.loadBalancing(), Map.of())));
    if (settings.loadBalancing().equals("round_robin")) {
      // Health is watched per replica; a draining one says NOT_SERVING before it closes.
      config.put("healthCheckConfig", Map.of("serviceName", SERVICE));
    }
    return config;
  }
}
