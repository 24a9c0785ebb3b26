package dev.fibperf.server.compute;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * What a loaded kernel reaches instead of the JVM's exits. {@link KernelClassLoader} rewrites every
 * call a kernel's classes make to {@code System.exit}, {@code Runtime.exit} and {@code
 * Runtime.halt} (direct, or as a method reference) into a call here, and every reflective or
 * method-handle lookup into one that cannot return those methods. Each throws {@link
 * SecurityException} (what a security manager threw, before JDK 24 removed it), so the task fails
 * with a status naming its kernel and the server goes on.
 *
 * <p>The methods are public because rewritten kernel classes call them; kernels gain nothing by
 * calling them themselves.
 */
public final class ExitGuard {
  private ExitGuard() {}

  /** Replaces {@code System.exit(status)}. */
  public static void systemExit(int status) {
    throw refused("System.exit(" + status + ")");
  }

  /** Replaces {@code runtime.exit(status)}. */
  public static void runtimeExit(Runtime runtime, int status) {
    throw refused("Runtime.exit(" + status + ")");
  }

  /** Replaces {@code runtime.halt(status)}. */
  public static void runtimeHalt(Runtime runtime, int status) {
    throw refused("Runtime.halt(" + status + ")");
  }

  /** Replaces {@code type.getMethod(name, parameters)}. */
  public static Method getMethod(Class<?> type, String name, Class<?>... parameters)
      throws NoSuchMethodException {
    refuseIfExit(type, name);
    return type.getMethod(name, parameters);
  }

  /** Replaces {@code type.getDeclaredMethod(name, parameters)}. */
  public static Method getDeclaredMethod(Class<?> type, String name, Class<?>... parameters)
      throws NoSuchMethodException {
    refuseIfExit(type, name);
    return type.getDeclaredMethod(name, parameters);
  }

  /** Replaces {@code type.getMethods()}: the exits left out. */
  public static Method[] getMethods(Class<?> type) {
    return withoutExits(type, type.getMethods());
  }

  /** Replaces {@code type.getDeclaredMethods()}: the exits left out. */
  public static Method[] getDeclaredMethods(Class<?> type) {
    return withoutExits(type, type.getDeclaredMethods());
  }

  /** Replaces {@code lookup.findStatic(type, name, methodType)}. */
  public static MethodHandle findStatic(
      MethodHandles.Lookup lookup, Class<?> type, String name, MethodType methodType)
      throws NoSuchMethodException, IllegalAccessException {
    refuseIfExit(type, name);
    return lookup.findStatic(type, name, methodType);
  }

  /** Replaces {@code lookup.findVirtual(type, name, methodType)}. */
  public static MethodHandle findVirtual(
      MethodHandles.Lookup lookup, Class<?> type, String name, MethodType methodType)
      throws NoSuchMethodException, IllegalAccessException {
    refuseIfExit(type, name);
    return lookup.findVirtual(type, name, methodType);
  }

  /** Replaces {@code lookup.bind(receiver, name, methodType)}. */
  public static MethodHandle bind(
      MethodHandles.Lookup lookup, Object receiver, String name, MethodType methodType)
      throws NoSuchMethodException, IllegalAccessException {
    if (receiver instanceof Runtime) {
      refuseIfExit(Runtime.class, name);
    }
    return lookup.bind(receiver, name, methodType);
  }

  /** Replaces {@code lookup.unreflect(method)}. */
  public static MethodHandle unreflect(MethodHandles.Lookup lookup, Method method)
      throws IllegalAccessException {
    refuseIfExit(method.getDeclaringClass(), method.getName());
    return lookup.unreflect(method);
  }

  /** Whether {@code name} on {@code type} is one of the JVM's exits. */
  static boolean isExit(Class<?> type, String name) {
    return (type == System.class && name.equals("exit"))
        || (type == Runtime.class && (name.equals("exit") || name.equals("halt")));
  }

  private static void refuseIfExit(Class<?> type, String name) {
    if (type != null && name != null && isExit(type, name)) {
      throw refused(type.getSimpleName() + "." + name);
    }
  }

  private static Method[] withoutExits(Class<?> type, Method[] methods) {
    if (type != System.class && type != Runtime.class) {
      return methods;
    }
    return Arrays.stream(methods)
        .filter(m -> !isExit(m.getDeclaringClass(), m.getName()))
        .toArray(Method[]::new);
  }

  private static SecurityException refused(String what) {
    return new SecurityException(
        what + " refused: a kernel may not end the server it runs in (fibperf's exit guard)");
  }
}
