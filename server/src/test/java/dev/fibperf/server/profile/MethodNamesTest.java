package dev.fibperf.server.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MethodNamesTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "()V|''",
        "(I)J|int",
        "(I[Ljava/lang/String;)J|int, String[]",
        "([[DZ)V|double[][], boolean",
        "(Ljava/util/Map$Entry;C)V|Map.Entry, char",
        "(ISBF)V|int, short, byte, float",
      })
  void descriptors_readAsJavaSource(String descriptor, String expected) {
    assertEquals(expected, MethodNames.parameters(descriptor));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "dev.fibperf.server.exec.Run$$Lambda$155+0x7fb6b4224c90.13522|run|()V"
            + "|dev.fibperf.server.exec.Run$$Lambda.run()",
        "dev.fibperf.server.exec.Run$$Lambda/0x0000700001085000|run|()V"
            + "|dev.fibperf.server.exec.Run$$Lambda.run()",
        "dev.fibperf.server.compute.FibKernels|naive|(ILdev/fibperf/server/compute/"
            + "CancellationToken;)J|dev.fibperf.server.compute.FibKernels.naive(int,"
            + " CancellationToken)",
      })
  void lambdaAddresses_areDropped_soProfilesOfTwoRunsAgree(
      String type, String method, String descriptor, String expected) {
    assertEquals(expected, MethodNames.readable(type, method, descriptor));
  }
}
