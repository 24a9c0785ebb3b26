package dev.fibperf.server.http;

import static dev.fibperf.server.testing.InProcessFixture.drain;
import static dev.fibperf.server.testing.Waits.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.fibperf.proto.v1.CompareRequest;
import dev.fibperf.proto.v1.CompareResponse;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import dev.fibperf.proto.v1.SerialRequest;
import dev.fibperf.proto.v1.SerialResponse;
import dev.fibperf.server.auth.AuthPolicy;
import dev.fibperf.server.auth.Requirement;
import dev.fibperf.server.auth.Role;
import dev.fibperf.server.auth.Tokens;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.testing.FakeKernel;
import dev.fibperf.server.testing.InProcessFixture;
import dev.fibperf.server.testing.SelfSignedCert;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The HTTP port: the dashboard page, the run list as JSON, and run events as SSE. */
class HttpEndpointsTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(HttpEndpoints endpoints, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void idleAndHalfSentConnections_blockNoOtherRequest() throws Exception {
    try (InProcessFixture fx =
            new InProcessFixture(
                ServerConfig.newBuilder().workers(1).profilingEnabled(false).build(),
                b -> b.threadKernel(FakeKernel.instant()));
        HttpEndpoints endpoints =
            new HttpEndpoints(new InetSocketAddress("127.0.0.1", 0), fx.server.lookup(), null, 2)
                .start()) {
      List<java.net.Socket> stalled = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          java.net.Socket s = new java.net.Socket("127.0.0.1", endpoints.port());
          if (i % 2 == 0) { // half of them send half a request line and stop; half send nothing
            s.getOutputStream().write("GET /api/runs HTTP/1.1\r\nHost: x".getBytes(UTF_8));
            s.getOutputStream().flush();
          }
          stalled.add(s);
        }

        HttpResponse<String> runs =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + endpoints.port() + "/api/runs"))
                    .timeout(java.time.Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, runs.statusCode());
        // And a request that never completes is dropped, so slow ones cannot pile up threads.
        java.net.Socket slow = stalled.get(0);
        slow.setSoTimeout((int) (HttpEndpoints.MAX_REQUEST_SECONDS + 20) * 1000);
        assertEquals(-1, slow.getInputStream().read(), "closed by the server");
      } finally {
        for (java.net.Socket s : stalled) {
          s.close();
        }
      }
    }
  }

  /** For probes that cannot speak gRPC health over TLS: SERVING, then NOT_SERVING on a drain. */
  @Test
  void healthz_saysServing_untilTheServerDrains() throws Exception {
    try (InProcessFixture fx =
            new InProcessFixture(
                ServerConfig.newBuilder().workers(1).profilingEnabled(false).build(),
                b -> b.threadKernel(FakeKernel.instant()));
        HttpEndpoints endpoints =
            new HttpEndpoints(new InetSocketAddress("127.0.0.1", 0), fx.server.lookup(), null, 2)
                .health(fx.server::isServing)
                .start()) {
      HttpResponse<String> up = get(endpoints, "/healthz");
      assertEquals(200, up.statusCode());
      assertEquals("SERVING\n", up.body());

      fx.server.stop();

      HttpResponse<String> down = get(endpoints, "/healthz");
      assertEquals(503, down.statusCode());
      assertEquals("NOT_SERVING\n", down.body());
    }
  }

  @Test
  void thePage_isSelfContained_andTheEventsAndRunListFollowARun() throws Exception {
    try (InProcessFixture fx =
            new InProcessFixture(
                ServerConfig.newBuilder().workers(2).profilingEnabled(false).build(),
                b -> b.threadKernel(FakeKernel.instant()));
        HttpEndpoints endpoints =
            new HttpEndpoints(new InetSocketAddress("127.0.0.1", 0), fx.server.lookup(), null, 2)
                .start()) {
      HttpResponse<String> page = get(endpoints, "/");
      assertEquals(200, page.statusCode());
      assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
      assertTrue(page.body().contains("<title>fibperf"), page.body());
      // Works offline: no script, style or image from anywhere else.
      assertFalse(page.body().matches("(?s).*(src|href)=[\"']?(https?:)?//.*"), "external asset");
      assertEquals(404, get(endpoints, "/nothing-here").statusCode());

      List<String> lines = new CopyOnWriteArrayList<>();
      CompletableFuture<HttpResponse<Stream<String>>> events =
          http.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.port() + "/events"))
                  .build(),
              HttpResponse.BodyHandlers.ofLines());
      events.thenAccept(r -> r.body().forEach(lines::add));
      await("the event stream").until(() -> fx.server.runs().subscriberCount() == 1);

      List<CompareResponse> compare =
          drain(
              fx.blocking.compare(
                  CompareRequest.newBuilder().setRounds(1).addNums(3).addNums(4).build()));
      long id = compare.get(compare.size() - 1).getComparison().getRunId();

      await("the run's end on the stream")
          .until(() -> lines.stream().anyMatch(l -> l.contains("\"finished\"")));
      assertTrue(
          lines.stream().anyMatch(l -> l.startsWith("data: {") && l.contains("\"accepted\"")));
      assertTrue(lines.stream().anyMatch(l -> l.contains("\"taskStarted\"")));
      assertTrue(
          lines.stream().anyMatch(l -> l.contains("\"finished\"") && l.contains("\"speedup\"")),
          lines.toString());
      HttpResponse<String> runs = get(endpoints, "/api/runs");
      assertEquals(200, runs.statusCode());
      assertTrue(runs.body().contains("\"runId\":\"" + id + "\""), runs.body());
      HttpResponse<String> one = get(endpoints, "/api/runs/" + id);
      assertEquals(200, one.statusCode());
      assertTrue(one.body().startsWith("{\"run\":{\"runId\":\"" + id + "\""), one.body());
      assertTrue(one.body().contains("\"results\":[{"), "GetRun's tasks: " + one.body());
      HttpResponse<String> unknown = get(endpoints, "/api/runs/" + (id + 1000));
      assertEquals(404, unknown.statusCode());
      assertEquals(
          "{\"error\":\"run " + (id + 1000) + " is neither in flight nor in the history\"}",
          unknown.body());
      assertEquals(404, get(endpoints, "/api/runs/x").statusCode());
      events.cancel(true);
    }
  }

  @Test
  void aRecentProfiledRun_servesItsFlameGraph_andOthersSayWhyNot() throws Exception {
    try (InProcessFixture fx =
            new InProcessFixture(ServerConfig.newBuilder().workers(2).build(), b -> b);
        HttpEndpoints endpoints =
            new HttpEndpoints(new InetSocketAddress("127.0.0.1", 0), fx.server.lookup(), null, 2)
                .start()) {
      List<ProfileSerialResponse> profiled =
          drain(
              fx.blocking.profileSerial(
                  ProfileSerialRequest.newBuilder().addNums(34).addNums(35).build()));
      long id = profiled.get(profiled.size() - 1).getSummary().getRun().getRunId();
      List<SerialResponse> plain =
          drain(fx.blocking.serial(SerialRequest.newBuilder().addNums(20).build()));
      long plainId = plain.get(plain.size() - 1).getSummary().getRunId();

      HttpResponse<String> flame = get(endpoints, "/runs/" + id + "/flamegraph.html");
      HttpResponse<String> none = get(endpoints, "/runs/" + plainId + "/flamegraph.html");

      assertEquals(200, flame.statusCode());
      assertTrue(flame.body().contains("fibperf run " + id + ", serial"), "the page's title");
      assertTrue(flame.body().contains("FibKernels.naive"), "the hot function is in the graph");
      assertEquals(404, none.statusCode());
      assertEquals(
          "run " + plainId + " has no serial profile in flight, recent or in the history",
          none.body().strip());

      // A profiled Compare: its diff comes in the Comparison and from the HTTP port alike.
      List<CompareResponse> compared =
          drain(
              fx.blocking.compare(
                  CompareRequest.newBuilder()
                      .setRounds(1)
                      .addNums(32)
                      .addNums(33)
                      .setProfile(true)
                      .build()));
      dev.fibperf.proto.v1.Comparison c = compared.get(compared.size() - 1).getComparison();
      long afterTotal = 0;
      for (String line : c.getProfileDiff().getCollapsedPairs().toStringUtf8().split("\n")) {
        afterTotal += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
      }
      assertEquals(c.getParallelProfile().getTotalSamples(), afterTotal);
      assertTrue(
          c.getProfileDiff().getFlameGraphHtml().toStringUtf8().contains("serial to parallel"));
      HttpResponse<String> diff = get(endpoints, "/runs/" + c.getRunId() + "/diff.html");
      assertEquals(200, diff.statusCode());
      assertTrue(diff.body().contains("fibperf run " + c.getRunId() + ": serial to parallel"));
      assertTrue(diff.body().contains("FibKernels.naive"), diff.body());
      HttpResponse<String> noDiff = get(endpoints, "/runs/" + id + "/diff.html");
      assertEquals(404, noDiff.statusCode());
      assertEquals(
          "run " + id + " has no serial and parallel profiles in flight, recent or in the history",
          noDiff.body().strip());
    }
  }

  @Test
  void runsEventsAndFlameGraphs_needWhatAuthWatchAsks_thePageDoesNot() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("fibperf-tokens", ".txt");
    java.nio.file.Files.writeString(
        file, "alice alice-token-0123456789 watch\nbob bob-token-0123456789 compute\n");
    AuthPolicy strict =
        new AuthPolicy(java.util.Map.of(Role.WATCH, Requirement.TOKEN), Tokens.read(file));
    // Over plaintext, for this loopback test: what --allow-plaintext-tokens asks.
    AuthPolicy byToken = strict.allowingPlaintextTokensFromLoopback();
    AuthPolicy byCert =
        new AuthPolicy(java.util.Map.of(Role.WATCH, Requirement.CERT), Tokens.none());
    try (InProcessFixture fx =
            new InProcessFixture(
                ServerConfig.newBuilder().workers(1).profilingEnabled(false).build(),
                b -> b.threadKernel(FakeKernel.instant()));
        HttpEndpoints tokens =
            new HttpEndpoints(
                    new InetSocketAddress("127.0.0.1", 0), fx.server.lookup(), null, 2, byToken)
                .start();
        HttpEndpoints plaintext =
            new HttpEndpoints(
                    new InetSocketAddress("127.0.0.1", 0), fx.server.lookup(), null, 2, strict)
                .start();
        HttpEndpoints certs =
            new HttpEndpoints(
                    new InetSocketAddress("127.0.0.1", 0), fx.server.lookup(), null, 2, byCert)
                .start()) {
      assertEquals(200, get(tokens, "/").statusCode(), "the page holds no data");

      HttpResponse<String> none = get(tokens, "/api/runs");
      assertEquals(401, none.statusCode());
      assertEquals(
          "Bearer realm=\"fibperf\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
      assertEquals(
          "/api/runs (watch) needs a bearer token (--auth-watch=token)", none.body().strip());
      HttpResponse<String> wrong = withToken(tokens, "/api/runs", "not-a-token-of-ours");
      assertEquals(401, wrong.statusCode());
      assertTrue(
          wrong.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"));
      HttpResponse<String> bob = withToken(tokens, "/events", "bob-token-0123456789");
      assertEquals(403, bob.statusCode());
      assertEquals("token:bob may not watch: its roles are compute", bob.body().strip());
      assertEquals(401, get(tokens, "/runs/1/flamegraph.html").statusCode());

      assertEquals(200, withToken(tokens, "/api/runs", "alice-token-0123456789").statusCode());
      // The dashboard's way: the token in its cookie (an EventSource sends cookies, not headers).
      assertEquals(200, withCookie(tokens, "/api/runs", "alice-token-0123456789").statusCode());
      assertEquals(
          404,
          withCookie(tokens, "/runs/1/flamegraph.html?phase=serial", "alice-token-0123456789")
              .statusCode(),
          "past the check: no such run");
      HttpResponse<java.io.InputStream> stream =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tokens.port() + "/events"))
                  .header("Cookie", "theme=dark; fibperf_token=alice-token-0123456789")
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, stream.statusCode());
      stream.body().close();
      // Never in the URL, even a good one.
      HttpResponse<String> inUrl = get(tokens, "/api/runs?access_token=alice-token-0123456789");
      assertEquals(400, inUrl.statusCode());
      assertTrue(inUrl.body().startsWith("a token in the URL is refused"), inUrl.body());

      // Without --allow-plaintext-tokens a token over plaintext is refused, even a good one.
      HttpResponse<String> cleartext = withToken(plaintext, "/api/runs", "alice-token-0123456789");
      assertEquals(401, cleartext.statusCode());
      assertTrue(
          cleartext.body().startsWith("a bearer token over a plaintext connection is refused"),
          cleartext.body());
      assertTrue(cleartext.body().contains("--allow-plaintext-tokens"), cleartext.body());

      HttpResponse<String> noTls = get(certs, "/api/runs");
      assertEquals(401, noTls.statusCode());
      assertTrue(noTls.body().contains("needs a client certificate"), noTls.body());
      assertTrue(
          noTls.body().contains("no client certificate reaches the HTTP port"), noTls.body());
    }
  }

  /** With the gRPC port's certificate the HTTP port serves HTTPS, and takes tokens over it. */
  @Test
  void withACertificate_theHttpPortServesHttps_andTakesTokensOverIt(@TempDir Path dir)
      throws Exception {
    SelfSignedCert cert = SelfSignedCert.create(dir);
    java.nio.file.Path file = dir.resolve("tokens");
    java.nio.file.Files.writeString(file, "alice alice-token-0123456789 watch\n");
    AuthPolicy strict =
        new AuthPolicy(java.util.Map.of(Role.WATCH, Requirement.TOKEN), Tokens.read(file));
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(cert.cert())) {
      trust.setCertificateEntry(
          "fibperf",
          java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    javax.net.ssl.TrustManagerFactory trusting =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    trusting.init(trust);
    javax.net.ssl.SSLContext client = javax.net.ssl.SSLContext.getInstance("TLS");
    client.init(null, trusting.getTrustManagers(), null);
    HttpClient https = HttpClient.newBuilder().sslContext(client).build();
    try (InProcessFixture fx =
            new InProcessFixture(
                ServerConfig.newBuilder().workers(1).profilingEnabled(false).build(),
                b -> b.threadKernel(FakeKernel.instant()));
        HttpEndpoints endpoints =
            new HttpEndpoints(
                    new InetSocketAddress("127.0.0.1", 0),
                    fx.server.lookup(),
                    null,
                    2,
                    strict,
                    dev.fibperf.server.launch.TlsOptions.httpsContext(
                        cert.cert().toFile(), cert.key().toFile()))
                .start()) {
      HttpResponse<String> runs =
          https.send(
              HttpRequest.newBuilder(
                      URI.create("https://localhost:" + endpoints.port() + "/api/runs"))
                  .header("Authorization", "Bearer alice-token-0123456789")
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertEquals(200, runs.statusCode(), runs.body());
      assertTrue(runs.body().startsWith("{"), runs.body());
    }
  }

  private HttpResponse<String> withCookie(HttpEndpoints endpoints, String path, String token)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.port() + path))
            .header("Cookie", "fibperf_token=" + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> withToken(HttpEndpoints endpoints, String path, String token)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.port() + path))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A refused or failed request does not keep its connection open for the next one. */
  @Test
  void aFailedRequest_closesItsConnection() throws Exception {
    try (InProcessFixture fx = new InProcessFixture();
        HttpEndpoints endpoints =
            new HttpEndpoints(new InetSocketAddress("127.0.0.1", 0), fx.server.lookup(), null, 2)
                .start();
        java.net.Socket socket = new java.net.Socket("127.0.0.1", endpoints.port())) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write("GET /api/runs/999 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(UTF_8));
      String reply = new String(socket.getInputStream().readAllBytes(), UTF_8); // until closed

      assertTrue(reply.startsWith("HTTP/1.1 404"), reply);
      assertTrue(reply.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), reply);
    }
  }

  /** A handler that fails, as the gson-less jar's did, in each form of route. */
  @ParameterizedTest
  @EnumSource(HttpEndpoints.Reply.class)
  void aHandlerThatThrows_answers500InItsRoutesForm_withOneLogLine(HttpEndpoints.Reply reply)
      throws Exception {
    // The handler first: HttpEndpoints sets the JDK server's request timeout before any server
    // reads it (idleAndHalfSentConnections relies on that).
    HttpHandler failing =
        HttpEndpoints.answering(
            reply,
            exchange -> {
              throw new NoClassDefFoundError("com/google/gson/GsonBuilder");
            });
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", failing);
    server.start();
    List<LogRecord> logged = capture();
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/x"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertEquals(500, r.statusCode());
      String reason = "java.lang.NoClassDefFoundError: com/google/gson/GsonBuilder";
      String json = "{\"error\":\"" + reason + "\"}";
      switch (reply) {
        case JSON -> assertEquals(json, r.body());
        case EVENTS -> assertEquals("event: error\ndata: " + json + "\n\n", r.body());
        case TEXT -> assertEquals("internal error: " + reason + "\n", r.body());
      }
      assertEquals(1, logged.size(), logged.toString());
      assertEquals(null, logged.get(0).getThrown(), "one line, no trace");
      assertEquals("HTTP GET /x failed: " + reason, logged.get(0).getMessage());
    } finally {
      release();
      server.stop(0);
    }
  }

  @Test
  void anEventStreamWhoseHandlerThrowsMidStream_endsWithAnErrorEvent() throws Exception {
    HttpHandler failing =
        HttpEndpoints.answering(
            HttpEndpoints.Reply.EVENTS,
            exchange -> {
              exchange.sendResponseHeaders(200, 0);
              exchange.getResponseBody().write("data: {}\n\n".getBytes(UTF_8));
              exchange.getResponseBody().flush();
              throw new IllegalStateException("broken\nmapper");
            });
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", failing);
    server.start();
    List<LogRecord> logged = capture();
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertEquals(200, r.statusCode());
      assertEquals(
          "data: {}\n\nevent: error\ndata: {\"error\":\"java.lang.IllegalStateException:"
              + " broken mapper\"}\n\n",
          r.body(),
          "the stream ends (the body completes) after the error event");
      assertEquals(1, logged.size(), logged.toString());
    } finally {
      release();
      server.stop(0);
    }
  }

  private final Logger endpointsLog = Logger.getLogger(HttpEndpoints.class.getName());
  private Handler capturing;

  private List<LogRecord> capture() {
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    capturing =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    endpointsLog.addHandler(capturing);
    return records;
  }

  private void release() {
    endpointsLog.removeHandler(capturing);
  }
}
