package dev.fibperf.server.http;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import dev.fibperf.proto.RunsCsv;
import dev.fibperf.proto.v1.CompareRunsResponse;
import dev.fibperf.proto.v1.GetRunResponse;
import dev.fibperf.proto.v1.ListRunsRequest;
import dev.fibperf.proto.v1.ListRunsResponse;
import dev.fibperf.proto.v1.RunInfo;
import dev.fibperf.proto.v1.WatchRunsResponse;
import dev.fibperf.server.auth.AuthPolicy;
import dev.fibperf.server.auth.Role;
import dev.fibperf.server.profile.Artifacts;
import dev.fibperf.server.profile.ProfileReport;
import dev.fibperf.server.run.Phase;
import dev.fibperf.server.run.RunOutcome;
import dev.fibperf.server.run.RunRegistry;
import dev.fibperf.server.run.RunRegistry.RunRecord;
import dev.fibperf.server.run.RunSubscription;
import dev.fibperf.server.service.RunLookup;
import dev.fibperf.server.service.WatchMessages;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * The server's HTTP port: the live dashboard at {@code /}, the run list as JSON at {@code
 * /api/runs}, the same events as WatchRuns as Server-Sent Events at {@code /events}, a recent
 * profiled run's flame graph at {@code /runs/<id>/flamegraph.html}, and Prometheus metrics at
 * {@code /metrics}. On the JDK's own HTTP server, as Prometheus's exporter is.
 */
public final class HttpEndpoints implements AutoCloseable {
  /** Events an SSE client may have waiting before it starts losing them. */
  static final int SSE_BUFFER = 256;

  private static final Logger LOG = Logger.getLogger(HttpEndpoints.class.getName());

  /**
   * Every path this port serves, as a user writes it ({@code {id}}: a run's id). The acceptance
   * tests on the packaged jar and the image request each one, and fail on one they do not know.
   */
  public static final List<String> ROUTES =
      List.of(
          "/",
          "/api/runs",
          "/api/runs.csv",
          "/api/runs/{id}",
          "/api/runs/{id}/tasks.csv",
          "/api/runs/{id}/change",
          "/events",
          "/runs/{id}/flamegraph.html",
          "/runs/{id}/flamegraph.html?phase=parallel",
          "/runs/{id}/diff.html",
          "/runs/{id}/profile.pb.gz",
          "/metrics",
          "/healthz");

  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private final HttpServer http;
  private final ExecutorService threads;
  private final RunRegistry runs;
  private final RunLookup lookup;
  private final WatchMessages watchMessages = new WatchMessages();
  private final Semaphore eventStreams;

  /**
   * Requests that may read the run history at once (as many as gRPC's readers and their queue):
   * each exchange has a thread of its own, and a database that stops answering would otherwise
   * gather them without bound.
   */
  private final Semaphore historyReads;

  private final byte[] page;
  private final AuthPolicy auth;

  /** Seconds a client has to send its whole request (the JDK server's maxReqTime). */
  static final long MAX_REQUEST_SECONDS = 10;

  static {
    // Read once, by the JDK's HTTP server, when it is first used; a value set by the operator
    // (-Dsun.net.httpserver.maxReqTime=...) wins.
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", String.valueOf(MAX_REQUEST_SECONDS));
    }
  }

  /**
   * @param metrics what {@code /metrics} serves, or null for none
   * @param maxEventStreams most {@code /events} clients at once; more get 503
   */
  public HttpEndpoints(
      InetSocketAddress address, RunLookup runs, PrometheusRegistry metrics, int maxEventStreams)
      throws IOException {
    this(address, runs, metrics, maxEventStreams, AuthPolicy.OPEN);
  }

  /**
   * @param auth who may see runs: the run list, the events and the flame graphs need what {@code
   *     --auth-watch} asks of WatchRuns; the page itself (no data) and {@code /metrics} (no inputs,
   *     no identities) stay open
   */
  public HttpEndpoints(
      InetSocketAddress address,
      RunLookup runs,
      PrometheusRegistry metrics,
      int maxEventStreams,
      AuthPolicy auth)
      throws IOException {
    this(address, runs, metrics, maxEventStreams, auth, null);
  }

  /**
   * @param tls the certificate to serve HTTPS with (the gRPC port's), or null for plain HTTP
   */
  public HttpEndpoints(
      InetSocketAddress address,
      RunLookup lookup,
      PrometheusRegistry metrics,
      int maxEventStreams,
      AuthPolicy auth,
      SSLContext tls)
      throws IOException {
    this.lookup = lookup;
    this.runs = lookup.registry();
    this.auth = auth;
    this.eventStreams = new Semaphore(maxEventStreams);
    this.historyReads = new Semaphore(RunLookup.READERS + RunLookup.WAITING_READS);
    try (InputStream in = HttpEndpoints.class.getResourceAsStream("dashboard.html")) {
      if (in == null) {
        throw new IOException("dashboard.html missing from the jar");
      }
      this.page = in.readAllBytes();
    }
    if (tls == null) {
      this.http = HttpServer.create(address, 0);
    } else {
      HttpsServer https = HttpsServer.create(address, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      this.http = https;
    }
    // Each exchange, from reading its request line on, runs on a thread of its own, so no idle or
    // slow connection holds up another (a scrape, the page); SSE handlers hold theirs for as long
    // as the client listens, bounded by maxEventStreams; a request that takes longer than
    // MAX_REQUEST_SECONDS to arrive is dropped, so slow ones cannot pile up threads.
    this.threads =
        Executors.newCachedThreadPool(
            new ThreadFactoryBuilder().setNameFormat("fibperf-http-%d").setDaemon(true).build());
    http.setExecutor(threads);
    http.createContext("/", answering(Reply.TEXT, this::page));
    http.createContext("/api/runs", answering(Reply.JSON, watching(readingHistory(this::runs))));
    http.createContext("/events", answering(Reply.EVENTS, watching(this::events)));
    http.createContext("/runs/", answering(Reply.TEXT, watching(readingHistory(this::flameGraph))));
    if (metrics != null) {
      http.createContext("/metrics", answering(Reply.TEXT, new MetricsHandler(metrics)));
    }
  }

  /**
   * Serves {@code /healthz}: 200 {@code SERVING} while {@code serving} says so, else 503 {@code
   * NOT_SERVING} (from the first moment of a drain), for probes that cannot speak gRPC health over
   * TLS (Kubernetes' gRPC probes speak plaintext only). Open to anyone, like {@code /metrics}.
   */
  public HttpEndpoints health(BooleanSupplier serving) {
    http.createContext(
        "/healthz",
        answering(
            Reply.TEXT,
            exchange -> {
              boolean up = serving.getAsBoolean();
              send(
                  exchange,
                  up ? 200 : 503,
                  "text/plain",
                  (up ? "SERVING\n" : "NOT_SERVING\n").getBytes(StandardCharsets.UTF_8));
            }));
    return this;
  }

  /** The form a route's failure takes: what its clients can read. */
  enum Reply {
    /** Pages, flame graphs and metrics: a plain-text reason. */
    TEXT,
    /** {@code /api/*}: {@code {"error": reason}}. */
    JSON,
    /** {@code /events}: an {@code event: error} whose data is {@code {"error": reason}}. */
    EVENTS
  }

  /**
   * {@code handler}, answering whatever it throws: a 500 with a one-line reason in the route's form
   * (or, on an event stream already under way, an {@code event: error}) and one log line, then the
   * exchange closed. Without it the JDK's server logs the trace and leaves the connection open with
   * nothing sent: a client waits forever and each such request holds a socket. A client that left
   * mid-reply (an IOException) is not a failure and is not logged.
   */
  static HttpHandler answering(Reply reply, HttpHandler handler) {
    return exchange -> {
      try {
        handler.handle(exchange);
      } catch (IOException gone) {
        // The client closed the connection while we wrote: nobody to answer. Passed on, so that
        // the JDK's server drops the connection from its books: swallowed here, a connection
        // its request timer had closed while the handler ran stayed there for good, socket
        // and all (HttpSocketsIT).
        throw gone;
      } catch (Throwable t) { // NoClassDefFoundError included: a broken handler still answers.
        String reason = oneLine(t);
        LOG.warning(
            () ->
                "HTTP "
                    + exchange.getRequestMethod()
                    + " "
                    + exchange.getRequestURI().getRawPath()
                    + " failed: "
                    + reason);
        try {
          fail(exchange, reply, reason);
        } catch (IOException | RuntimeException gone) {
          // The client left too: the exchange is closed below either way.
        }
      } finally {
        exchange.close();
      }
    };
  }

  private static void fail(HttpExchange exchange, Reply reply, String reason) throws IOException {
    String json = json(Struct.newBuilder().putFields("error", text(reason)));
    boolean streaming = exchange.getResponseCode() != -1;
    if (reply == Reply.EVENTS) {
      byte[] event = ("event: error\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
      if (streaming) {
        OutputStream out = exchange.getResponseBody();
        out.write(event);
        out.flush();
      } else {
        send(exchange, 500, "text/event-stream", event);
      }
    } else if (!streaming) {
      send(
          exchange,
          500,
          reply == Reply.JSON ? "application/json" : "text/plain; charset=utf-8",
          (reply == Reply.JSON ? json : "internal error: " + reason + "\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    // A text or JSON reply already under way cannot change its status: closing it short is
    // what tells the client (its length no longer matches).
  }

  private static Value text(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  /** The throwable's class and message on one line (the log has no stack trace for it). */
  static String oneLine(Throwable t) {
    String message = t.getMessage();
    return (t.getClass().getName() + (message == null ? "" : ": " + message))
        .replaceAll("\\s+", " ");
  }

  public HttpEndpoints start() {
    http.start();
    return this;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** The cookie the dashboard keeps a token in: EventSource can send no header, only cookies. */
  static final String TOKEN_COOKIE = "fibperf_token";

  /**
   * {@code handler} for callers that may watch runs. The token comes in the {@code Authorization}
   * header or, from the dashboard, in the {@value #TOKEN_COOKIE} cookie (its EventSource cannot
   * send headers); never in the URL, where logs, proxies and the browser's history keep it, so a
   * request with {@code access_token} in its query is refused. Over plaintext a token is refused
   * too (see {@link AuthPolicy#tokenTransport}).
   */
  /** {@code handler}, or 503 when {@link #historyReads} are all taken. */
  private HttpHandler readingHistory(HttpHandler handler) {
    return exchange -> {
      if (!historyReads.tryAcquire()) {
        send(
            exchange,
            503,
            "text/plain",
            ("too many reads of the run history at once (at most "
                    + (RunLookup.READERS + RunLookup.WAITING_READS)
                    + "); retry\n")
                .getBytes(StandardCharsets.UTF_8));
        return;
      }
      try {
        handler.handle(exchange);
      } finally {
        historyReads.release();
      }
    };
  }

  private HttpHandler watching(HttpHandler handler) {
    return exchange -> {
      if (queryParameter(exchange, "access_token") != null) {
        send(
            exchange,
            400,
            "text/plain; charset=utf-8",
            ("a token in the URL is refused (logs, proxies and history keep URLs): send it in an"
                    + " Authorization header, or the "
                    + TOKEN_COOKIE
                    + " cookie the dashboard sets\n")
                .getBytes(StandardCharsets.UTF_8));
        return;
      }
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      AuthPolicy.Credentials credentials =
          authorization != null
              ? new AuthPolicy.Credentials(authorization, Optional.empty())
              : AuthPolicy.Credentials.bearer(cookie(exchange, TOKEN_COOKIE));
      Optional<AuthPolicy.Denial> denial =
          credentials.authorization() == null
              ? Optional.empty()
              : auth.tokenTransport(exchange instanceof HttpsExchange, exchange.getRemoteAddress());
      if (denial.isEmpty()) {
        denial = auth.check(exchange.getRequestURI().getPath(), Role.WATCH, credentials);
      }
      if (denial.isEmpty()) {
        handler.handle(exchange);
        return;
      }
      String message = denial.get().message();
      if (!auth.requirement(Role.WATCH).acceptsToken()) {
        message += "; no client certificate reaches the HTTP port: use WatchRuns";
      }
      if (denial.get().unauthenticated()) {
        exchange
            .getResponseHeaders()
            .set(
                "WWW-Authenticate",
                credentials.authorization() == null
                    ? "Bearer realm=\"fibperf\""
                    : "Bearer realm=\"fibperf\", error=\"invalid_token\"");
      }
      send(
          exchange,
          denial.get().unauthenticated() ? 401 : 403,
          "text/plain; charset=utf-8",
          (message + "\n").getBytes(StandardCharsets.UTF_8));
    };
  }

  private static String cookie(HttpExchange exchange, String name) {
    for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).strip().equals(name)) {
          return URLDecoder.decode(pair.substring(eq + 1).strip(), StandardCharsets.UTF_8);
        }
      }
    }
    return null;
  }

  private static String queryParameter(HttpExchange exchange, String name) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private void page(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestURI().getPath().equals("/")) {
      send(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    send(exchange, 200, "text/html; charset=utf-8", page);
  }

  /**
   * {@code /api/runs}: the run list, as ListRuns answers it; {@code /api/runs/<id>}: one run with
   * its tasks, as GetRun answers it.
   */
  private void runs(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/api/runs") || path.equals("/api/runs/") || path.equals("/api/runs.csv")) {
      ListRunsResponse list;
      try {
        list = lookup.list(listRequest(exchange.getRequestURI().getRawQuery()));
      } catch (IllegalArgumentException e) {
        sendJson(exchange, 400, errorJson(e.getMessage()));
        return;
      }
      if (path.endsWith(".csv")) {
        send(exchange, 200, "text/csv; charset=utf-8", RunsCsv.runs(list));
      } else {
        sendJson(exchange, 200, json(list.toBuilder()));
      }
      return;
    }
    Matcher m = RUN.matcher(path);
    if (!m.matches()) {
      sendJson(exchange, 404, errorJson("no such path: " + path));
      return;
    }
    long id = Long.parseLong(m.group(1));
    Optional<RunInfo> run = lookup.get(id);
    if (run.isEmpty()) {
      sendJson(exchange, 404, errorJson("run " + id + " is neither in flight nor in the history"));
      return;
    }
    if ("/tasks.csv".equals(m.group(2))) {
      send(exchange, 200, "text/csv; charset=utf-8", RunsCsv.tasks(run.get()));
      return;
    }
    if ("/change".equals(m.group(2))) {
      // CompareRuns: ?baseline=<id>, or the last clean run of the workload.
      String query = exchange.getRequestURI().getQuery();
      Matcher b = query == null ? null : BASELINE.matcher(query);
      long baseline = b != null && b.find() ? Long.parseLong(b.group(1)) : 0;
      try {
        sendJson(
            exchange,
            200,
            json(CompareRunsResponse.newBuilder().setChange(lookup.change(id, baseline))));
      } catch (io.grpc.StatusException e) {
        int status = e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND ? 404 : 409;
        sendJson(exchange, status, errorJson(e.getStatus().getDescription()));
      }
      return;
    }
    sendJson(exchange, 200, json(GetRunResponse.newBuilder().setRun(run.get())));
  }

  /**
   * {@code /api/runs}' query, ListRuns' fields by their JSON names: {@code pageSize}, {@code
   * pageToken}, {@code method}, {@code sameWorkloadAs}.
   */
  static ListRunsRequest listRequest(String rawQuery) {
    ListRunsRequest.Builder b = ListRunsRequest.newBuilder();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return b.build();
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value =
          eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      try {
        switch (key) {
          case "pageSize":
            b.setPageSize(Integer.parseUnsignedInt(value));
            break;
          case "pageToken":
            b.setPageToken(value);
            break;
          case "method":
            b.setMethod(dev.fibperf.proto.v1.RunMethod.valueOf(value));
            break;
          case "sameWorkloadAs":
            b.setSameWorkloadAs(Long.parseUnsignedLong(value));
            break;
          default:
            throw new IllegalArgumentException(
                key + " is not one of pageSize, pageToken, method, sameWorkloadAs");
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + "=" + value + " is not a number");
      } catch (IllegalArgumentException e) {
        if (key.equals("method")) {
          throw new IllegalArgumentException(
              "method=" + value + " is not a RunMethod (e.g. RUN_METHOD_COMPARE)");
        }
        throw e;
      }
    }
    return b.build();
  }

  private static final Pattern RUN =
      Pattern.compile("/api/runs/(\\d{1,18})(/tasks\\.csv|/change)?");

  private static final Pattern BASELINE = Pattern.compile("(?:^|&)baseline=(\\d{1,18})");

  private static String errorJson(String reason) {
    return json(Struct.newBuilder().putFields("error", text(reason)));
  }

  private static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
    send(exchange, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@code /runs/<id>/flamegraph.html[?phase=serial|parallel]}: a recent profiled run's flame
   * graph, rendered from its attributed samples on request (the run list keeps the profile, not the
   * page); {@code /runs/<id>/diff.html}: a profiled Compare's serial-to-parallel differential one.
   */
  private void flameGraph(HttpExchange exchange) throws IOException {
    Matcher m = FLAME_GRAPH.matcher(exchange.getRequestURI().getPath());
    if (!m.matches()) {
      send(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    long id = Long.parseLong(m.group(1));
    if (m.group(2).equals("diff.html")) {
      Optional<ProfileReport> serial = profile(id, Phase.SERIAL);
      Optional<ProfileReport> parallel = profile(id, Phase.PARALLEL);
      if (serial.isEmpty() || parallel.isEmpty()) {
        notFound(
            exchange,
            "run "
                + id
                + " has no serial and parallel profiles in flight, recent or in the history");
        return;
      }
      send(
          exchange,
          200,
          "text/html; charset=utf-8",
          Artifacts.diffFlameGraphHtml(
              serial.get(), parallel.get(), "fibperf run " + id + ": serial to parallel"));
      return;
    }
    String query = exchange.getRequestURI().getQuery();
    Phase phase = query != null && query.contains("phase=parallel") ? Phase.PARALLEL : Phase.SERIAL;
    Optional<ProfileReport> profile = profile(id, phase);
    String name = phase.name().toLowerCase(Locale.ROOT);
    if (profile.isEmpty()) {
      notFound(
          exchange,
          "run " + id + " has no " + name + " profile in flight, recent or in the history");
      return;
    }
    if (m.group(2).equals("profile.pb.gz")) {
      // pprof's format, for go tool pprof, Pyroscope, Speedscope and the like.
      exchange
          .getResponseHeaders()
          .set(
              "Content-Disposition",
              "attachment; filename=\"fibperf-run-" + id + "-" + name + ".pb.gz\"");
      send(
          exchange,
          200,
          "application/octet-stream",
          Artifacts.pprof(profile.get(), profile.get().samplingPeriod()));
      return;
    }
    send(
        exchange,
        200,
        "text/html; charset=utf-8",
        Artifacts.flameGraphHtml(profile.get(), "fibperf run " + id + ", " + name));
  }

  /** A run's profile of one phase: the live run's, else the history's collapsed stacks. */
  private Optional<ProfileReport> profile(long id, Phase phase) {
    Optional<ProfileReport> live =
        runs.get(id)
            .map(RunRecord::outcome)
            .flatMap(
                outcome ->
                    outcome.phases().stream()
                        .filter(p -> p.phase() == phase && p.profile() != null)
                        .map(RunOutcome.PhaseOutcome::profile)
                        .findFirst());
    if (live.isPresent()) {
      return live;
    }
    return lookup
        .history()
        .profile(id, phase.name().toLowerCase(Locale.ROOT))
        .map(p -> ProfileReport.ofCollapsed(p.collapsed(), p.engine(), p.samplingPeriod()));
  }

  private static void notFound(HttpExchange exchange, String why) throws IOException {
    send(exchange, 404, "text/plain", (why + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static final Pattern FLAME_GRAPH =
      Pattern.compile("/runs/(\\d{1,18})/(flamegraph\\.html|diff\\.html|profile\\.pb\\.gz)");

  /**
   * The WatchRuns stream as Server-Sent Events, one JSON-mapped {@code WatchRunsResponse} per
   * event. A client that does not keep up loses events (then gets {@code droppedEvents}); runs
   * never wait for it.
   */
  private void events(HttpExchange exchange) throws IOException {
    if (!eventStreams.tryAcquire()) {
      send(
          exchange, 503, "text/plain", "too many event streams\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    try (RunSubscription<WatchRunsResponse> subscription =
        runs.subscribe(run -> true, watchMessages.all(), SSE_BUFFER, () -> 0, () -> {})) {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      while (true) {
        WatchRunsResponse m = subscription.take(KEEP_ALIVE);
        if (m == null) {
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8)); // fails once it left
        } else {
          write(out, m);
        }
        out.flush();
      }
    } catch (IOException | InterruptedException gone) {
      // The client closed the stream (or the server is stopping): the subscription is closed.
    } finally {
      eventStreams.release(); // the exchange is closed by answering(), after any error event
    }
  }

  /** How long an idle event stream waits before a comment that finds a client that has left. */
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

  private static void write(OutputStream out, WatchRunsResponse m) throws IOException {
    out.write(("data: " + json(m) + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  private static String json(MessageOrBuilder m) {
    try {
      return JSON.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    if (status >= 400) {
      // A refused or failed request does not keep its connection: a client hammering the port
      // with bad requests otherwise holds idle keep-alive sockets (Adversaries bench).
      exchange.getResponseHeaders().set("Connection", "close");
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    http.stop(0);
    threads.shutdownNow();
  }
}
