package dev.fibperf.server.profile;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedMethod;

/** Renders JFR methods the way people read them: {@code pkg.Class.method(int, String[])}. */
final class MethodNames {
  private MethodNames() {}

  /** Lambda classes carry a per-run address, e.g. {@code Run$$Lambda$155+0x7fb6b4224c90.13522}. */
  private static final Pattern LAMBDA_SUFFIX =
      Pattern.compile("\\$\\$Lambda[^.]*(\\.(0x)?[0-9a-f]+)?");

  static String readable(RecordedMethod method) {
    return readable(method.getType().getName(), method.getName(), method.getDescriptor());
  }

  /**
   * @param typeName the binary class name, e.g. {@code dev.fibperf.server.exec.Run$$Lambda$1}
   * @param descriptor the JVM method descriptor, e.g. {@code (I)J}
   */
  static String readable(String typeName, String methodName, String descriptor) {
    String type = LAMBDA_SUFFIX.matcher(typeName).replaceAll(Matcher.quoteReplacement("$$Lambda"));
    return type + "." + methodName + "(" + parameters(descriptor) + ")";
  }

  /** Turns a JVM descriptor such as {@code (I[Ljava/lang/String;)J} into {@code int, String[]}. */
  static String parameters(String descriptor) {
    StringBuilder out = new StringBuilder();
    int i = descriptor.indexOf('(') + 1;
    int end = descriptor.indexOf(')');
    while (i > 0 && i < end) {
      int dims = 0;
      while (descriptor.charAt(i) == '[') {
        dims++;
        i++;
      }
      String type;
      char c = descriptor.charAt(i);
      if (c == 'L') {
        int semi = descriptor.indexOf(';', i);
        String binary = descriptor.substring(i + 1, semi);
        type = binary.substring(binary.lastIndexOf('/') + 1).replace('$', '.');
        i = semi + 1;
      } else {
        type = primitive(c);
        i++;
      }
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(type).append("[]".repeat(dims));
    }
    return out.toString();
  }

  private static String primitive(char c) {
    switch (c) {
      case 'Z':
        return "boolean";
      case 'B':
        return "byte";
      case 'C':
        return "char";
      case 'S':
        return "short";
      case 'I':
        return "int";
      case 'J':
        return "long";
      case 'F':
        return "float";
      case 'D':
        return "double";
      default:
        return String.valueOf(c);
    }
  }
}
