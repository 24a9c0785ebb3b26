package dev.fibperf.server.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.UnknownFieldSet;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The pprof export read back by protobuf's own wire parser, field by field as pprof's profile.proto
 * numbers them, not by the writer's code: the same stacks and counts come out as went in.
 */
class PprofTest {
  @Test
  void stacksAndCounts_comeBackAsTheyWent_leafLast() throws Exception {
    String collapsed = "main;run;fib 30\nmain;run;fib;fib 12\nmain;idle 3\n";
    Duration period = Duration.ofMillis(1);
    ProfileReport report = ProfileReport.ofCollapsed(collapsed, "jfr", period);
    byte[] gz = Artifacts.pprof(report, period);
    UnknownFieldSet profile =
        UnknownFieldSet.parseFrom(new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes());

    List<String> strings = new ArrayList<>();
    for (var s : profile.getField(6).getLengthDelimitedList()) {
      strings.add(s.toStringUtf8());
    }
    assertEquals("", strings.get(0), "pprof's string table starts with the empty string");
    Map<Long, String> functionNames = new HashMap<>();
    for (var f : profile.getField(5).getLengthDelimitedList()) {
      UnknownFieldSet fn = UnknownFieldSet.parseFrom(f);
      functionNames.put(
          fn.getField(1).getVarintList().get(0),
          strings.get(fn.getField(2).getVarintList().get(0).intValue()));
    }
    Map<Long, String> locations = new HashMap<>();
    for (var l : profile.getField(4).getLengthDelimitedList()) {
      UnknownFieldSet location = UnknownFieldSet.parseFrom(l);
      UnknownFieldSet line =
          UnknownFieldSet.parseFrom(location.getField(4).getLengthDelimitedList().get(0));
      locations.put(
          location.getField(1).getVarintList().get(0),
          functionNames.get(line.getField(1).getVarintList().get(0)));
    }
    Map<String, Long> stacks = new HashMap<>();
    for (var s : profile.getField(2).getLengthDelimitedList()) {
      UnknownFieldSet sample = UnknownFieldSet.parseFrom(s);
      List<String> frames = new ArrayList<>();
      for (long id : sample.getField(1).getVarintList()) {
        frames.add(locations.get(id));
      }
      Collections.reverse(frames); // pprof lists the leaf first
      List<Long> values = sample.getField(2).getVarintList();
      stacks.put(String.join(";", frames), values.get(0));
      assertEquals(values.get(0) * period.toNanos(), values.get(1), "cpu = samples x period");
    }
    assertEquals(Map.of("main;run;fib", 30L, "main;run;fib;fib", 12L, "main;idle", 3L), stacks);
    // sample_type: samples/count, cpu/nanoseconds; the period's type and value.
    List<String> types = new ArrayList<>();
    for (var t : profile.getField(1).getLengthDelimitedList()) {
      UnknownFieldSet vt = UnknownFieldSet.parseFrom(t);
      types.add(
          strings.get(vt.getField(1).getVarintList().get(0).intValue())
              + "/"
              + strings.get(vt.getField(2).getVarintList().get(0).intValue()));
    }
    assertEquals(List.of("samples/count", "cpu/nanoseconds"), types);
    assertEquals(List.of(period.toNanos()), profile.getField(12).getVarintList());
  }
}
