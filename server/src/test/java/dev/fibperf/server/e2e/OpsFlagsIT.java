package dev.fibperf.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.server.testing.ServerProcess;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.Collections;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Operators' flags on the packaged jar: the log format and the bind address. */
class OpsFlagsIT {
  @Test
  void logFormatJson_writesOneEcsObjectPerLine_inUtc() throws Exception {
    try (ServerProcess server = new ServerProcess("--log-format=json", "--no-profiling")) {
      ManagedChannel channel =
          Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
      FibPerfServiceGrpc.newBlockingStub(channel)
          .serial(SerialRequest.newBuilder().addNums(20).build())
          .forEachRemaining(r -> {});
      channel.shutdownNow();
      ServerJarIT.awaitLog(server, "Serial"); // the access log line of that call

      assertTrue(server.log.size() >= 2, server.log.toString());
      for (String line : server.log) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject(); // each line is one object
        assertTrue(o.get("@timestamp").getAsString().endsWith("Z"), line);
        assertTrue(o.has("log.level") && o.has("log.logger") && o.has("message"), line);
        assertEquals("fibperf", o.get("service.name").getAsString(), line);
      }
      assertTrue(server.log.stream().anyMatch(l -> l.contains("listening on port")));
      // The access line's facts are fields a shipper can filter on, not only words in message.
      JsonObject access =
          server.log.stream()
              .map(l -> JsonParser.parseString(l).getAsJsonObject())
              .filter(o -> o.has("rpc.method"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no access line: " + server.log));
      assertEquals("Serial", access.get("rpc.method").getAsString(), access.toString());
      assertEquals("fibperf.v1.FibPerfService", access.get("rpc.service").getAsString());
      assertEquals("OK", access.get("rpc.grpc.status_code").getAsString());
      assertEquals("success", access.get("event.outcome").getAsString());
      assertEquals("1", access.get("fibperf.tasks").getAsString());
      assertTrue(access.get("fibperf.run_id").getAsLong() > 0, access.toString());
      assertTrue(access.get("event.duration").getAsLong() > 0, access.toString());
      assertTrue(access.get("message").getAsString().startsWith("rpc=Serial tasks=1 status=OK"));
    }
  }

  @Test
  void bindLoopback_servesLoopback_andRefusesTheHostsOtherAddress() throws Exception {
    try (ServerProcess server =
        new ServerProcess("--bind=127.0.0.1", "--http-port=0", "--no-profiling")) {
      ServerJarIT.awaitLog(server, "fibperf dashboard at");
      int httpPort = httpPort(server);
      try (Socket grpc = new Socket("127.0.0.1", server.port);
          Socket http = new Socket("127.0.0.1", httpPort)) {
        assertTrue(grpc.isConnected() && http.isConnected());
      }
      Optional<InetAddress> other = nonLoopbackAddress();
      org.junit.jupiter.api.Assumptions.assumeTrue(
          other.isPresent(), "this host has no address but loopback");
      for (int port : new int[] {server.port, httpPort}) {
        assertThrows(
            IOException.class,
            () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(other.get(), port), 2000);
              }
            },
            "port " + port + " answered on " + other.get());
      }
    }
  }

  private static int httpPort(ServerProcess server) {
    Pattern p = Pattern.compile("dashboard at http://127\\.0\\.0\\.1:(\\d+)/");
    for (String line : server.log) {
      Matcher m = p.matcher(line);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("no dashboard line: " + server.log);
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }
}
