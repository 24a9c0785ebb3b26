package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.client.CompareOptions;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfSettings;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.SpeedupEstimate;
import dev.fibperf.client.Workload;
import dev.fibperf.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard of the packaged server jar in a real browser (Debian's chromium through
 * chromium-driver): task bars appear while a Parallel run started through the SDK is still running;
 * a Compare (whose events arrive when its rounds end, so as not to take cores from them) shows its
 * estimate, each round as a dot and the interval as a band. Saves a screenshot to {@code
 * target/dashboard.png}. CI sets {@code FIBPERF_REQUIRE_CHROMIUM}.
 */
class DashboardBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void aParallelRun_showsLiveTaskBars_andACompare_itsRoundsAndInterval() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (System.getenv("FIBPERF_REQUIRE_CHROMIUM") != null) {
      assertTrue(present, "chromium and chromedriver required (FIBPERF_REQUIRE_CHROMIUM)");
    }
    Assumptions.assumeTrue(present, "no chromium and chromedriver");

    int httpPort;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      httpPort = free.getLocalPort();
    }
    // The packaged jar, as users start it: the dashboard died there once (a dependency missing
    // from the jar) while this test, on an in-process server, passed.
    ServerProcess server =
        new ServerProcess("--workers=2", "--no-profiling", "--http-port=" + httpPort);
    ChromeDriver browser = null;
    try (FibPerfClient client =
        FibPerfClient.create(
            FibPerfSettings.newBuilder(server.target())
                .defaultDeadline(Duration.ofMinutes(2))
                .build())) {
      client.compare(Workload.of(20, 21)); // a warm server, and a run already in the list
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments(
          "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900");
      browser =
          new ChromeDriver(
              new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(),
              options);
      browser.get("http://127.0.0.1:" + httpPort + "/");
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
      // The page redraws on every event: an element found may be replaced before it is read.
      wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
      ChromeDriver page = browser;
      wait.until(d -> page.findElement(By.id("status")).getText().equals("live"));

      CompletableFuture<RunSummary> parallel =
          CompletableFuture.supplyAsync(() -> client.parallel(Workload.of(38, 39, 40, 39)));
      wait.until(d -> !page.findElements(By.cssSelector("svg rect.bar")).isEmpty());
      boolean barsWhileRunning = !parallel.isDone();
      parallel.get();
      assertTrue(barsWhileRunning, "task bars appeared while the Parallel run was still running");

      Comparison c =
          client.compare(Workload.of(37, 38, 39, 38), CompareOptions.DEFAULT.withRounds(4));
      String speedup = String.format(Locale.ROOT, "speedup %.2fx", c.speedup());
      wait.until(d -> page.findElement(By.id("speedup")).getText().equals(speedup));
      // One dot per round, hollow where the estimate left the round out; the interval's band.
      // (Read in one script each: the page redraws when its timelines load, replacing elements.)
      assertEquals(
          c.rounds().stream().map(r -> Boolean.toString(r.used())).toList(),
          attributes(browser, "svg#rounds circle.round", "data-used"));
      assertEquals(
          c.estimate().orElseThrow().speedupLow().isPresent() ? 1 : 0,
          browser.findElements(By.cssSelector("svg#rounds rect.band:not(.free)")).size());
      // On a busy machine, the interval with the measured core wait taken out: dashed.
      assertEquals(
          c.estimate()
                  .orElseThrow()
                  .coreWaitRemoved()
                  .filter(free -> free.low().isPresent())
                  .isPresent()
              ? 1
              : 0,
          browser.findElements(By.cssSelector("svg#rounds rect.band.free")).size());
      assertEquals(
          "run " + c.runId() + ": COMPARE 37,38,39,38 (succeeded)",
          browser.findElement(By.id("title")).getText());
      assertFalse(
          browser
              .findElements(By.cssSelector("svg[data-phase='PHASE_PARALLEL'] line.mark"))
              .isEmpty(),
          "the lower bound and the optimum are marked");
      // The page shows the server's sentences, the same the SDK and the CLI get.
      assertEquals(c.reading().text(), browser.findElement(By.id("reading")).getText());
      assertEquals(
          c.notes().stream().map(n -> n.kind().name()).toList(),
          attributes(browser, "div.note", "data-kind"));
      Path shot = Path.of("target", "dashboard.png");
      Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
      assertTrue(Files.size(shot) > 10_000, "a screenshot with something in it");

      // After a reload the page has watched nothing: a finished run's timeline comes from GetRun,
      // and the runs of its workload from the history, as a chart over time.
      Workload again = Workload.of(24, 25, 26, 25);
      for (int i = 0; i < 3; i++) {
        client.compare(again, CompareOptions.DEFAULT.withRounds(5));
      }
      Comparison last = client.compare(again, CompareOptions.DEFAULT.withRounds(5));
      browser.navigate().refresh();
      wait.until(
          d ->
              d.findElement(By.id("title"))
                  .getText()
                  .equals("run " + last.runId() + ": COMPARE 24,25,26,25 (succeeded)"));
      wait.until(
          d ->
              d.findElements(By.cssSelector("svg[data-phase='PHASE_PARALLEL'] rect.bar")).size()
                  == 4);
      assertEquals(
          4,
          browser.findElements(By.cssSelector("svg[data-phase='PHASE_SERIAL'] rect.bar")).size());
      // A time axis with units under each phase.
      assertEquals(
          "0.0 ms",
          browser
              .findElements(By.cssSelector("svg[data-phase='PHASE_SERIAL'] text.tick"))
              .get(0)
              .getText());
      wait.until(d -> d.findElements(By.cssSelector("svg#trend circle.point")).size() == 4);
      assertEquals(
          List.of(
              String.valueOf(last.runId() - 3),
              String.valueOf(last.runId() - 2),
              String.valueOf(last.runId() - 1),
              String.valueOf(last.runId())),
          attributes(browser, "svg#trend circle.point", "data-run"));
      // The same runs' attainment and serial wall, each a chart of its own.
      assertEquals(4, attributes(browser, "svg#trend-attainment circle.point", "data-run").size());
      assertEquals(4, attributes(browser, "svg#trend-cost circle.point", "data-run").size());
      // The fourth Compare of the workload says where the next would land, as the SDK has it
      // (unless a busy machine left one of them with no headline speedup: then no line).
      Optional<SpeedupEstimate.AcrossCompares> across =
          last.estimate().flatMap(SpeedupEstimate::acrossCompares);
      List<WebElement> acrossLine = browser.findElements(By.id("across"));
      assertEquals(across.isPresent(), !acrossLine.isEmpty(), "across: " + across);
      across.ifPresent(
          a ->
              assertTrue(
                  acrossLine
                      .get(0)
                      .getText()
                      .startsWith(
                          String.format(
                              Locale.ROOT,
                              "The next Compare here: %.2f–%.2fx (95%%), from the last %d",
                              a.low(),
                              a.high(),
                              a.compares())),
                  acrossLine.get(0).getText()));
      assertFalse(browser.findElements(By.cssSelector("a.export")).isEmpty());
      // Against a baseline: the last clean run of the workload, or why there is none (on a busy
      // machine neither Compare may be clean). Either way the server's answer, not nothing.
      wait.until(d -> !d.findElements(By.id("change")).isEmpty());
      // A Compare that sweeps the workers: its scaling curve, a point per worker count.
      Comparison swept =
          client.compare(
              Workload.of(22, 23, 24, 23), CompareOptions.DEFAULT.withRounds(5).withSweep(true));
      wait.until(
          d ->
              d.findElement(By.id("title"))
                  .getText()
                  .startsWith("run " + swept.runId() + ": COMPARE 22,23,24,23"));
      // Only the widths some clean round measured have a point; on a busy machine, none may.
      List<String> measured =
          swept.scaling().stream()
              .filter(p -> p.roundsUsed() > 0)
              .map(p -> String.valueOf(p.workers()))
              .toList();
      wait.until(d -> !d.findElements(By.id("scaling")).isEmpty());
      assertEquals(measured, attributes(browser, "svg#scaling-curve circle.point", "data-workers"));
      assertEquals(measured.isEmpty() ? 1 : 0, browser.findElements(By.id("scaling-none")).size());
      // Two window sizes, for a person to look at (target/dashboard-*.png).
      for (int[] size : new int[][] {{1400, 1000}, {700, 1000}}) {
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(size[0], size[1]));
        render(browser);
        Files.write(
            Path.of("target", "dashboard-" + size[0] + ".png"),
            ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
      }
    } finally {
      if (browser != null) {
        browser.quit();
      }
      server.close();
    }
  }

  /** Draws the page again at the window's new size, as the next event would. */
  private static void render(ChromeDriver browser) {
    browser.executeScript("render()");
  }

  /** Each match's attribute (its text for null), read in one script, so no element goes stale. */
  @SuppressWarnings("unchecked")
  private static List<String> attributes(ChromeDriver browser, String css, String attribute) {
    return (List<String>)
        browser.executeScript(
            "return [...document.querySelectorAll(arguments[0])].map(e => arguments[1] === null"
                + " ? e.textContent : e.getAttribute(arguments[1]));",
            css,
            attribute);
  }
}
