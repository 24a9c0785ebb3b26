package dev.fibperf.client.cli;

import dev.fibperf.client.Algorithm;
import dev.fibperf.client.CompareOptions;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfSettings;
import dev.fibperf.client.HotMethod;
import dev.fibperf.client.PoolKind;
import dev.fibperf.client.ProfileOptions;
import dev.fibperf.client.ProfileResult;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.Workload;
import dev.fibperf.server.FibServer;
import dev.fibperf.server.config.ServerConfig;
import dev.fibperf.server.http.HttpEndpoints;
import io.grpc.InsecureServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The whole journey: profile the serial baseline, parallelise, compare, and explain. */
@Command(
    name = "demo",
    description = {
      "Walk the whole journey: profile, parallelise, compare, explain.",
      "Profiles the serial run to find the hot method, runs the tasks in parallel, compares"
          + " against the machine's bounds and says what the numbers mean. Starts an embedded"
          + " server on a free loopback port unless --target is given; it stops with the demo"
          + " unless --keep-serving."
    },
    mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {
  /** Held so the level sticks: JUL keeps loggers weakly. */
  private static final Logger SERVER_LOGS = Logger.getLogger("dev.fibperf.server");

  /** How long the demo's Compare may take for its rounds: a dozen rounds of the demo's inputs. */
  static final Duration COMPARE_BUDGET = Duration.ofSeconds(20);

  @Option(names = "--target", description = "Use this server instead of an embedded one.")
  String target;

  /**
   * The demo's inputs. The origin's [34, 35, 36, 35] take ~130 ms in Java (CPython is several times
   * slower), too short to measure steadily on a shared 2-core machine; these take ~0.8 s.
   */
  static final List<Integer> DEMO_NUMS = List.of(38, 39, 40, 39);

  @Option(
      names = "--nums",
      split = ",",
      description =
          "Fibonacci inputs (default: 38,39,40,39; the server's own default is 34,35,36,35).")
  List<Integer> nums = new ArrayList<>(DEMO_NUMS);

  @Option(
      names = "--keep-serving",
      description =
          "Keep the embedded server (and its dashboard) up after the demo, until Ctrl-C; without"
              + " it, both stop when the demo ends.")
  boolean keepServing;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    EmbeddedServer embedded = null;
    String address = target;
    if (address == null) {
      if (!EmbeddedServer.available()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "this is the lean CLI jar, without a server to embed: give --target HOST:PORT, or"
                + " run the demo from fibperf.jar");
      }
      SERVER_LOGS.setLevel(Level.WARNING); // the demo narrates; per-call log lines would clutter
      embedded = EmbeddedServer.start();
      address = embedded.address();
      out.printf(
          "Started an embedded fibperf server on %s; watch it live at %s %s%n%n",
          address,
          embedded.dashboard(),
          keepServing ? "(it stays up after the demo, until Ctrl-C)" : "while the demo runs");
    }
    try (FibPerfClient client = FibPerfClient.create(FibPerfSettings.newBuilder(address).build())) {
      journey(client, out);
      if (embedded != null && keepServing) {
        out.printf(
            "%nThe embedded server stays up: %s and its dashboard at %s, until Ctrl-C.%n",
            address, embedded.dashboard());
        out.flush();
        new CountDownLatch(1).await(); // Ctrl-C ends the JVM, and the embedded server with it
      } else if (embedded != null) {
        out.println(
            "\nThe embedded server and its dashboard stop now; `fibperf demo --keep-serving` keeps"
                + " them up.");
      }
    } finally {
      if (embedded != null) {
        embedded.stop();
      }
    }
    return 0;
  }

  private void journey(FibPerfClient client, PrintWriter out) {
    Printer printer = new Printer(out, false, Terminal.isInteractive());
    Workload workload = new Workload(nums, Algorithm.NAIVE, 0, PoolKind.THREADS);
    int tasks = nums.size();

    out.println("== 1/3 Profile the serial baseline (a sampling profiler, this call only)");
    ProfileResult profiled =
        (ProfileResult)
            printer.follow(
                client.profileSerialStream(workload, ProfileOptions.DEFAULT.withTop(5)), tasks, 1);
    printer.summary("Serial run", profiled.run());
    printer.profile(profiled.profile());
    if (profiled.profile().self().isEmpty()) {
      // Tasks shorter than the sampling period: nothing to read, and no hot function to name.
      out.printf(
          "  reading   no samples: these tasks were over before the profiler sampled them; give"
              + " larger --nums (38,39,40,39 take a second) to see the hot function.%n%n");
    } else {
      HotMethod hottest = profiled.profile().self().get(0);
      out.printf(
          "  reading   %.0f%% of the samples are in %s: the hot function, and its tasks are"
              + " independent, so they can run in parallel.%n%n",
          hottest.percent(), hottest.method());
    }

    out.println("== 2/3 Run the same tasks in parallel on the warm worker pool");
    RunSummary parallel = (RunSummary) printer.follow(client.parallelStream(workload), tasks, 1);
    printer.summary("Parallel run", parallel);
    out.println();

    out.printf(
        "== 3/3 Compare serial and parallel in rounds (ABBA) until the interval is ±3 %% or %s"
            + " pass: one timing is an anecdote%n",
        Printer.format(COMPARE_BUDGET));
    Comparison c =
        (Comparison)
            printer.follow(
                client.compareStream(workload, CompareOptions.DEFAULT.withBudget(COMPARE_BUDGET)),
                tasks,
                2);
    printer.comparison(c);
    out.println();

    RunSummary smarter = client.serial(workload.withAlgorithm(Algorithm.FAST_DOUBLING));
    out.printf(
        "Beyond more cores: the same values by fast doubling, serially, take %s: %.0fx faster than"
            + " the parallel naive run. A better algorithm beats more cores.%n",
        Printer.format(smarter.wall()),
        (double) c.parallel().wall().toNanos() / Math.max(1, smarter.wall().toNanos()));
  }

  /**
   * A server and its dashboard on free loopback ports. In a class of its own so that the lean jar,
   * which has no server classes, never loads or verifies code that names them.
   */
  private static final class EmbeddedServer {
    private final FibServer server;
    private final HttpEndpoints dashboard;

    private EmbeddedServer(FibServer server, HttpEndpoints dashboard) {
      this.server = server;
      this.dashboard = dashboard;
    }

    static boolean available() {
      try {
        Class.forName("dev.fibperf.server.FibServer", false, DemoCommand.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException e) {
        return false;
      }
    }

    static EmbeddedServer start() throws IOException {
      FibServer server =
          new FibServer(
                  NettyServerBuilder.forAddress(
                      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                      InsecureServerCredentials.create()),
                  ServerConfig.newBuilder().port(0).build())
              .start();
      HttpEndpoints dashboard =
          new HttpEndpoints(
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                  server.lookup(),
                  null,
                  ServerConfig.DEFAULT_MAX_WATCHERS)
              .start();
      return new EmbeddedServer(server, dashboard);
    }

    String address() {
      return "127.0.0.1:" + server.port();
    }

    String dashboard() {
      return "http://127.0.0.1:" + dashboard.port() + "/";
    }

    void stop() throws InterruptedException {
      dashboard.close();
      server.stop();
    }
  }
}
