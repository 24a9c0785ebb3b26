package dev.fibperf.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fibperf.client.CompareOptions;
import dev.fibperf.client.Comparison;
import dev.fibperf.client.FibPerfClient;
import dev.fibperf.client.FibPerfSettings;
import dev.fibperf.client.RunSummary;
import dev.fibperf.client.Workload;
import dev.fibperf.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
      List<WebElement> dots = browser.findElements(By.cssSelector("svg#rounds circle.round"));
      assertEquals(4, dots.size());
      assertEquals(
          c.rounds().stream().map(r -> Boolean.toString(r.used())).toList(),
          dots.stream().map(d -> d.getAttribute("data-used")).toList());
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
          browser.findElements(By.cssSelector("div.note")).stream()
              .map(e -> e.getAttribute("data-kind"))
              .toList());
      Path shot = Path.of("target", "dashboard.png");
      Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
      assertTrue(Files.size(shot) > 10_000, "a screenshot with something in it");
    } finally {
      if (browser != null) {
        browser.quit();
      }
      server.close();
    }
  }
}
