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
