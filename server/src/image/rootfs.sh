#!/usr/bin/env bash
# The container image's root file system, for Jib to layer FROM scratch (no base image can be
# pulled here; see README, "Run it in a container"): a jlinked Java runtime, the shared libraries
# it links against, copied from the machine that builds it (as distroless images copy Debian's),
# and the few files a JVM and glibc look for.
#   rootfs.sh <out-dir> <java-home> [async-profiler.jar]
set -euo pipefail
out="$1"
java_home="$2"
async_jar="${3:-}"
# From jdeps over the server's runtime class path (less java.desktop, which only micrometer's
# Log4j2 binder asks for), plus the JFR management bean and, before JDK 22 merged it into
# java.base, the EC ciphers TLS needs.
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.sql
modules+=,jdk.httpserver,jdk.jfr,jdk.management,jdk.management.jfr,jdk.unsupported
if "$java_home/bin/java" --list-modules | grep -q '^jdk.crypto.ec@'; then
  modules+=,jdk.crypto.ec
fi

rm -rf "$out"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/home/nonroot"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --output "$out/opt/java"

# Every library the runtime's executables and libraries load, at the path the loader looks in.
find "$out/opt/java" -type f \( -name '*.so' -o -perm -u+x \) -print0 \
  | xargs -0 ldd 2>/dev/null \
  | grep -oE '(/[^ ]+)' | grep -v "^$out" | sort -u \
  | while read -r lib; do
      [ -e "$lib" ] && cp --parents -L "$lib" "$out"
    done

# async-profiler's native library, which the server extracts from its jar at run time, links
# against a few more (libdl, librt, libpthread): without them profiles fall back to JFR.
if [ -n "$async_jar" ] && [ -f "$async_jar" ]; then
  arch=linux-x64
  [ "$(uname -m)" = aarch64 ] && arch=linux-arm64
  lib_dir=$(mktemp -d)
  (cd "$lib_dir" && "$java_home/bin/jar" xf "$async_jar" "$arch/libasyncProfiler.so")
  ldd "$lib_dir/$arch/libasyncProfiler.so" | grep -oE '(/[^ ]+)' | sort -u \
    | while read -r lib; do
        [ -e "$lib" ] && cp --parents -L "$lib" "$out"
      done
  rm -rf "$lib_dir"
fi

cat >"$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >"$out/etc/group" <<'GROUP'
root:x:0:
nonroot:x:65532:
GROUP
printf 'hosts: files dns\n' >"$out/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$out/etc/hosts"
