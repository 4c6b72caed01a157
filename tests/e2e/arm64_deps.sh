#!/usr/bin/env bash
# make check-arm64's sysroot packages follow the Makefile (issue 11, arm64):
# `scripts/check-arm64.sh --list` names the Debian -dev package owning each
# pkg-config module of the Makefile's PKGS and each NOPC_DEV (libqm-dsp-dev,
# no .pc), so a library the build gains is fetched for arm64 too.  A copy of
# the Makefile with one more module / one more -dev package must list it; a
# module no package provides is one FAIL line naming it.  (The sysroot itself
# and its extension when that list changes are exercised by make check-arm64.)
. "$(dirname "$0")/lib.sh"
cd "$CS_ROOT" || exit 1
command -v dpkg >/dev/null && command -v pkg-config >/dev/null || { skip list "no dpkg/pkg-config"; exit 0; }

list=$(timeout 60 bash scripts/check-arm64.sh --list 2>&1)
{ read -r pkgs; read -r nopc; } < <(make -s --no-print-directory print-deps)
missing=""
# shellcheck disable=SC2046
for owner in $(dpkg -S $(for m in $pkgs; do pkg-config --path "$m"; done) | cut -d: -f1); do
    grep -qw -- "$owner" <<<"$list" || missing="$missing $owner"
done
for d in $nopc libc6 libstdc++6; do grep -qw -- "$d" <<<"$list" || missing="$missing $d"; done
if [ -n "$pkgs" ] && [ -z "$missing" ] && grep -qw libqm-dsp-dev <<<"$list" && grep -qw libmicrohttpd-dev <<<"$list"
then pass list_covers_makefile; else fail list_covers_makefile "not listed:$missing; got: $list"; fi

# A copy of the build files with one more module and one more -dev package.
mkdir -p "$T/repo/scripts" "$T/repo/tests/fuzz"
cp Makefile "$T/repo/" && cp tests/fuzz/fuzz.mk "$T/repo/tests/fuzz/" && cp scripts/check-arm64.sh "$T/repo/scripts/"
printf 'PKGS += zlib\nNOPC_DEV += libfftw3-dev\n' >>"$T/repo/Makefile"
list2=$(timeout 60 bash "$T/repo/scripts/check-arm64.sh" --list 2>&1)
if grep -qw zlib1g-dev <<<"$list2" && grep -qw libfftw3-dev <<<"$list2" && grep -qw libqm-dsp-dev <<<"$list2"
then pass list_follows_makefile; else fail list_follows_makefile "after PKGS += zlib, NOPC_DEV += libfftw3-dev: $list2"; fi

printf 'PKGS += cs-no-such-module\n' >>"$T/repo/Makefile"
out=$(timeout 60 bash "$T/repo/scripts/check-arm64.sh" --list 2>/dev/null); rc=$?
if [ $rc -ne 0 ] && [ "$(grep -c '^FAIL ' <<<"$out")" = 1 ] && grep -q 'cs-no-such-module' <<<"$out"
then pass unknown_module_named; else fail unknown_module_named "rc $rc: $out"; fi

# The link guard (issue 18): `--check-trace LOG` reads ld's --trace output.
# A fresh machine failed at its first arm64 link because the sysroot's
# libc.so script names /lib/aarch64-linux-gnu/libc.so.6, which only a host
# with libc6:arm64 installed by hand had; the guard names any input that is
# neither in the sysroot nor the cross toolchain, and any library ld needed
# and did not find.
SR=$CS_ROOT/build/arm64/sysroot
printf '%s\n' "  LD [rel] build/arm64/rel/cs" "build/arm64/rel/cmd/main.o" "build/arm64/rel/libcs.a" \
    "$SR/usr/lib/aarch64-linux-gnu/libc.so" "$SR/lib/aarch64-linux-gnu/libc.so.6" \
    "/usr/lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/lib/../lib/crti.o" \
    "/usr/lib/gcc-cross/aarch64-linux-gnu/12/libgcc.a" >"$T/clean.trace"
out=$(timeout 60 bash scripts/check-arm64.sh --check-trace "$T/clean.trace" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then pass trace_clean_link; else fail trace_clean_link "rc $rc: $out"; fi
{ cat "$T/clean.trace"; echo "/lib/aarch64-linux-gnu/libc.so.6"; } >"$T/host.trace"
out=$(timeout 60 bash scripts/check-arm64.sh --check-trace "$T/host.trace" 2>&1); rc=$?
if [ $rc -ne 0 ] && [ "$(grep -c '^FAIL ' <<<"$out")" = 1 ] && grep -q '/lib/aarch64-linux-gnu/libc.so.6.*host file' <<<"$out"
then pass trace_host_library_named; else fail trace_host_library_named "rc $rc: $out"; fi
{ cat "$T/clean.trace"
  echo "/usr/lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/bin/ld: cannot find /lib/ld-linux-aarch64.so.1: No such file or directory"
  echo "/usr/lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/bin/ld: warning: libz.so.1, needed by $SR/usr/lib/aarch64-linux-gnu/libavformat.so, not found (try using -rpath or -rpath-link)"
} >"$T/missing.trace"
out=$(timeout 60 bash scripts/check-arm64.sh --check-trace "$T/missing.trace" 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q 'cannot find /lib/ld-linux-aarch64.so.1' <<<"$out" && grep -q 'libz.so.1, needed by' <<<"$out"
then pass trace_missing_named; else fail trace_missing_named "rc $rc: $out"; fi
printf '  CC [rel] pkg/a.c\n' >"$T/empty.trace"
out=$(timeout 60 bash scripts/check-arm64.sh --check-trace "$T/empty.trace" 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q 'no linker trace' <<<"$out"; then pass trace_empty_fails; else fail trace_empty_fails "rc $rc: $out"; fi
