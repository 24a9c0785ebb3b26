package dev.fibperf.server.compute;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLConnection;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The class loader of the jars given with {@code --kernels}. It defines each class as a {@link
 * URLClassLoader} would, except that every call the class makes to one of the JVM's exits, or to a
 * lookup that could reach one, goes to {@link ExitGuard} instead. So a kernel that calls {@code
 * System.exit} fails its own task, on threads as in worker processes, instead of ending the server
 * (JDK 24 removed the security manager that once refused such calls).
 *
 * <p>What it cannot see: native code, a signal sent to its own process, and JDK code that reflects
 * on a kernel's behalf (such as {@code java.beans.Statement}). Run kernels you do not trust on
 * worker processes, where the worst a kernel can do ends only its worker.
 */
final class KernelClassLoader extends URLClassLoader {
  static {
    registerAsParallelCapable();
  }

  private static final String GUARD = Type.getInternalName(ExitGuard.class);

  /** A JDK method a kernel may not call, and the static guard method that stands in for it. */
  private record Guarded(String guardName, String guardDescriptor) {}

  /**
   * Keyed by owner, name and descriptor as they appear in a call. An instance method's guard takes
   * its receiver first, so the operand stack is the same before and after the rewrite.
   */
  private static final Map<String, Guarded> GUARDED =
      Map.ofEntries(
          guard("java/lang/System", "exit", "(I)V", true, "systemExit"),
          guard("java/lang/Runtime", "exit", "(I)V", false, "runtimeExit"),
          guard("java/lang/Runtime", "halt", "(I)V", false, "runtimeHalt"),
          guard(
              "java/lang/Class",
              "getMethod",
              "(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;",
              false,
              "getMethod"),
          guard(
              "java/lang/Class",
              "getDeclaredMethod",
              "(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;",
              false,
              "getDeclaredMethod"),
          guard(
              "java/lang/Class",
              "getMethods",
              "()[Ljava/lang/reflect/Method;",
              false,
              "getMethods"),
          guard(
              "java/lang/Class",
              "getDeclaredMethods",
              "()[Ljava/lang/reflect/Method;",
              false,
              "getDeclaredMethods"),
          guard(
              "java/lang/invoke/MethodHandles$Lookup",
              "findStatic",
              "(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/invoke/MethodType;)"
                  + "Ljava/lang/invoke/MethodHandle;",
              false,
              "findStatic"),
          guard(
              "java/lang/invoke/MethodHandles$Lookup",
              "findVirtual",
              "(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/invoke/MethodType;)"
                  + "Ljava/lang/invoke/MethodHandle;",
              false,
              "findVirtual"),
          guard(
              "java/lang/invoke/MethodHandles$Lookup",
              "bind",
              "(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/invoke/MethodType;)"
                  + "Ljava/lang/invoke/MethodHandle;",
              false,
              "bind"),
          guard(
              "java/lang/invoke/MethodHandles$Lookup",
              "unreflect",
              "(Ljava/lang/reflect/Method;)Ljava/lang/invoke/MethodHandle;",
              false,
              "unreflect"));

  KernelClassLoader(URL[] jars, ClassLoader parent) {
    super("fibperf-kernels", jars, parent);
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    URL resource = findResource(name.replace('.', '/') + ".class");
    if (resource == null) {
      throw new ClassNotFoundException(name);
    }
    byte[] original;
    URL jar;
    try {
      URLConnection connection = resource.openConnection();
      // Not the JDK's shared cache of open jars: each read opens and closes its own.
      connection.setUseCaches(false);
      jar =
          connection instanceof JarURLConnection
              ? ((JarURLConnection) connection).getJarFileURL()
              : resource;
      try (InputStream in = connection.getInputStream()) {
        original = in.readAllBytes();
      }
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
    byte[] guarded;
    try {
      guarded = guard(original);
    } catch (IllegalArgumentException unreadable) {
      // ASM refuses class file versions newer than it knows: say so at start, not mid-call.
      throw new ClassNotFoundException(
          name + " cannot be loaded under fibperf's exit guard: " + unreadable.getMessage(),
          unreadable);
    }
    definePackageOf(name);
    return defineClass(name, guarded, 0, guarded.length, new CodeSource(jar, (CodeSigner[]) null));
  }

  /**
   * {@code classFile} with every guarded call (and method handle) sent to {@link ExitGuard}; the
   * very same bytes when it has none.
   */
  static byte[] guard(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    // Flags 0: a rewrite changes neither the operand stack nor the control flow, so the class's
    // own maximums and stack map frames stay right.
    ClassWriter writer = new ClassWriter(reader, 0);
    GuardingClass guarding = new GuardingClass(writer);
    reader.accept(guarding, 0);
    return guarding.rewrites > 0 ? writer.toByteArray() : classFile;
  }

  private void definePackageOf(String className) {
    int dot = className.lastIndexOf('.');
    if (dot < 0) {
      return;
    }
    String name = className.substring(0, dot);
    if (getDefinedPackage(name) == null) {
      try {
        definePackage(name, null, null, null, null, null, null, null);
      } catch (IllegalArgumentException definedMeanwhile) {
        // Another thread loading a class of the same package got there first.
      }
    }
  }

  private static Map.Entry<String, Guarded> guard(
      String owner, String name, String descriptor, boolean isStatic, String guardName) {
    String guardDescriptor = isStatic ? descriptor : "(L" + owner + ";" + descriptor.substring(1);
    return Map.entry(owner + "." + name + descriptor, new Guarded(guardName, guardDescriptor));
  }

  private static Guarded guarded(String owner, String name, String descriptor) {
    return GUARDED.get(owner + "." + name + descriptor);
  }

  private static final class GuardingClass extends ClassVisitor {
    int rewrites;

    GuardingClass(ClassVisitor next) {
      super(Opcodes.ASM9, next);
    }

    /** A method handle constant (a method reference's target, say) turned toward the guard. */
    Object guardConstant(Object constant) {
      if (constant instanceof Handle) {
        Handle handle = (Handle) constant;
        Guarded g = guarded(handle.getOwner(), handle.getName(), handle.getDesc());
        if (g != null) {
          rewrites++;
          return new Handle(
              Opcodes.H_INVOKESTATIC, GUARD, g.guardName(), g.guardDescriptor(), false);
        }
      }
      return constant;
    }

    @Override
    public MethodVisitor visitMethod(
        int access, String name, String descriptor, String signature, String[] exceptions) {
      return new GuardingMethod(
          this, super.visitMethod(access, name, descriptor, signature, exceptions));
    }
  }

  private static final class GuardingMethod extends MethodVisitor {
    private final GuardingClass owner;

    GuardingMethod(GuardingClass owner, MethodVisitor next) {
      super(Opcodes.ASM9, next);
      this.owner = owner;
    }

    @Override
    public void visitMethodInsn(
        int opcode, String owner, String name, String descriptor, boolean isInterface) {
      Guarded g = guarded(owner, name, descriptor);
      if (g != null && (opcode == Opcodes.INVOKESTATIC || opcode == Opcodes.INVOKEVIRTUAL)) {
        this.owner.rewrites++;
        super.visitMethodInsn(
            Opcodes.INVOKESTATIC, GUARD, g.guardName(), g.guardDescriptor(), false);
      } else {
        super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
      }
    }

    @Override
    public void visitLdcInsn(Object value) {
      super.visitLdcInsn(owner.guardConstant(value));
    }

    @Override
    public void visitInvokeDynamicInsn(
        String name, String descriptor, Handle bootstrap, Object... arguments) {
      Object[] guardedArguments = new Object[arguments.length];
      for (int i = 0; i < arguments.length; i++) {
        guardedArguments[i] = owner.guardConstant(arguments[i]);
      }
      super.visitInvokeDynamicInsn(name, descriptor, bootstrap, guardedArguments);
    }
  }
}
