package dev.fibperf.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.fibperf.proto.v1.ArtifactChunk;
import dev.fibperf.proto.v1.FibPerfServiceGrpc;
import dev.fibperf.proto.v1.ProfileOptions;
import dev.fibperf.proto.v1.ProfileSerialRequest;
import dev.fibperf.proto.v1.ProfileSerialResponse;
import dev.fibperf.server.testing.ServerProcess;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flame graph a ProfileSerial call streams back opens in a real browser: headless Chromium
 * loads the saved page, its script runs, and it paints the flame's frames. {@code FIBPERF_CHROMIUM}
 * overrides where Chromium lives; CI sets {@code FIBPERF_REQUIRE_CHROMIUM}.
 */
class FlameGraphBrowserIT {
  private static final Path DEFAULT_CHROMIUM = Path.of("/usr/bin/chromium");
  private static final int WIDTH = 1200;
  private static final int HEIGHT = 800;

  @Test
  void flameGraphFromAProfileCall_rendersInHeadlessChromium(@TempDir Path dir) throws Exception {
    String override = System.getenv("FIBPERF_CHROMIUM");
    Path chromium = override == null ? DEFAULT_CHROMIUM : Path.of(override);
    boolean present = Files.isExecutable(chromium);
    if (System.getenv("FIBPERF_REQUIRE_CHROMIUM") != null) {
      assertTrue(present, "no Chromium at " + chromium);
    }
    Assumptions.assumeTrue(present, "no Chromium at " + chromium);

    Path page = dir.resolve("flame.html");
    try (ServerProcess server = new ServerProcess()) {
      ManagedChannel channel =
          Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
      List<ProfileSerialResponse> events =
          ServerJarIT.drain(
              FibPerfServiceGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(1, TimeUnit.MINUTES)
                  .profileSerial(
                      ProfileSerialRequest.newBuilder()
                          .addAllNums(List.of(33, 34, 33))
                          .setOptions(
                              ProfileOptions.newBuilder()
                                  .addArtifacts(ArtifactChunk.Format.FORMAT_FLAMEGRAPH_HTML))
                          .build()));
      channel.shutdownNow();
      Files.write(
          page,
          events.stream()
              .filter(ProfileSerialResponse::hasArtifact)
              .map(e -> e.getArtifact().getData())
              .reduce(ByteString.EMPTY, ByteString::concat)
              .toByteArray());
    }

    String dom = chromium(chromium, dir, "--dump-dom", page.toUri().toString());
    Path shot = dir.resolve("flame.png");
    chromium(chromium, dir, "--screenshot=" + shot, page.toUri().toString());
    BufferedImage image = ImageIO.read(shot.toFile());

    // The page's script sizes the canvas to the window once it has parsed the frames.
    assertTrue(dom.contains("<canvas id=\"canvas\" width="), dom);
    assertEquals(WIDTH, image.getWidth());
    // A flame of naive fib is tall: recursion frames stacked dozens deep, painted in the
    // palette's reds and oranges, across the whole width at its base.
    int flamePixels = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (r > 180 && g < 200 && b < 140 && r - b > 80) {
          flamePixels++;
        }
      }
    }
    double share = flamePixels / (double) (image.getWidth() * image.getHeight());
    assertTrue(share > 0.25, "only " + Math.round(share * 100) + " % of the page is flame");
  }

  /** Runs headless Chromium the way this machine's closed network needs, and returns stdout. */
  private static String chromium(Path chromium, Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(chromium.toString());
    command.addAll(
        List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=" + WIDTH + "," + HEIGHT,
            "--user-data-dir=" + Files.createTempDirectory(dir, "chromium")));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not finish: " + command);
    assertEquals(0, p.exitValue(), command + ": " + out);
    return out;
  }
}
