#!/usr/bin/env bash
# make check-arm64: cross-builds cs for arm64 (the Raspberry Pi's Debian 12)
# with Debian's multiarch packages, then runs under qemu-user: every unit
# test binary, tests/e2e/set.sh (index, export of a 3-rung ladder, ladder
# renders, a moved set, --check) with the arm64 cs, and one ladder render
# compared with the native build's, sample by sample.  Prints PASS/FAIL
# lines and the time each stage took.
# Needs: scripts/install-deps.sh --cross-arm64 (the cross compiler and
# qemu-user-static); the arm64 libraries are fetched into build/arm64/sysroot
# (~380 packages, ~190 MB of .debs, ~800 MB unpacked, once; extended when the
# Makefile's libraries change).  `--list`: print the -dev packages and stop.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=build/arm64
TRIPLE=aarch64-linux-gnu
QEMU=${QEMU:-qemu-aarch64-static}
# Which -dev packages: those that own the host's .pc file of each module in
# the Makefile's PKGS (the host has them: install-deps.sh --dev), the
# Makefile's NOPC_DEV (libraries without a .pc), and the C and C++ runtime
# qemu loads.  Taken from the Makefile each run, so a new dependency there
# is a new package here.
{ read -r PKGS; read -r NOPC_DEV; } < <(make -s --no-print-directory print-deps)
pcs=""
for m in $PKGS; do
    pc=$(pkg-config --path "$m" 2>/dev/null) && [ -n "$pc" ] \
        || { echo "FAIL check-arm64:setup: the host has no $m.pc (scripts/install-deps.sh --dev)"; exit 1; }
    pcs="$pcs $pc"
done
# One dpkg -S for all (each reads dpkg's whole file list).
# shellcheck disable=SC2086
owners=$(dpkg -S $pcs 2>/dev/null | cut -d: -f1)
[ "$(wc -w <<<"$owners")" -ge "$(wc -w <<<"$PKGS")" ] \
    || { echo "FAIL check-arm64:setup: no Debian package owns some of:$pcs"; exit 1; }
DEV=$(tr ' ' '\n' <<<"$NOPC_DEV libc6 libstdc++6 $owners" | grep . | sort -u | paste -sd ' ')
# --list: only print that list (tests/e2e/arm64_deps.sh checks it).
[ "${1:-}" = --list ] && { echo "$DEV"; exit 0; }

SR=$PWD/$B/sysroot
# The link guard.  Every link runs with --sysroot=$SR (a linker script in the
# sysroot, such as libc.so, names absolute paths that ld then looks up in the
# sysroot, not on the host) and -Wl,--trace, which makes ld print each input
# file it opens.  trace_check LOG prints one FAIL line for each input that is
# neither in the sysroot, nor the cross toolchain's own (/usr/$TRIPLE,
# /usr/lib/gcc-cross/$TRIPLE), nor our build tree or gcc's temporaries, and
# for each library ld needed and did not find: a host library for the target
# (the bug of a machine that once had libc6:arm64 installed by hand, where the
# link passed and a fresh machine's failed) is named, never used quietly.
trace_check() {   # LOG -> FAIL lines on stdout; status 1 if any
    local log=$1 bad=0 n=0 line real
    while IFS= read -r line; do
        case "$line" in
            *"bin/ld: cannot find "*|*"bin/ld: warning: "*", not found"*)
                echo "FAIL check-arm64:link_inputs: ${line#*bin/ld: }"; bad=1; continue ;;
            /*|build/*) ;;
            *) continue ;;
        esac
        case "$line" in *" "*) continue ;; esac   # a compiler message, not a trace line
        real=$(realpath -m -- "${line%%(*}")
        n=$((n + 1))
        case "$real" in
            "$SR"/*|/usr/"$TRIPLE"/*|/usr/lib/gcc-cross/"$TRIPLE"/*|"$PWD/$B"/*|/tmp/cc*.o) ;;
            *) echo "FAIL check-arm64:link_inputs: $line ($real) is neither in the sysroot nor the cross toolchain: a host file linked into an arm64 binary"; bad=1 ;;
        esac
    done < <(sort -u "$log")
    [ $n -gt 0 ] || { echo "FAIL check-arm64:link_inputs: no linker trace in $log (nothing was linked?)"; bad=1; }
    return $bad
}
# --check-trace LOG: only that check (tests/e2e/arm64_deps.sh feeds it traces).
[ "${1:-}" = --check-trace ] && { trace_check "$2"; exit $?; }
for need in $TRIPLE-gcc $TRIPLE-g++ "$QEMU"; do
    command -v "$need" >/dev/null || { echo "SKIP check-arm64: no $need (scripts/install-deps.sh --cross-arm64)"; exit 0; }
done
t_all=$(date +%s)
failed=0
# Every FAIL line also counts towards the exit status.
fail_line() { echo "FAIL $*"; failed=1; }
stage() { echo "check-arm64: $1 ($(( $(date +%s) - t_all )) s so far)"; }

# The arm64 libraries go into a sysroot under build/, never into the host's
# dpkg state (an arm64 -dev package that is not Multi-Arch: same would
# replace the host's): the -dev packages and everything they depend on are
# fetched (from apt's cache when there, else apt-get download) and unpacked
# with dpkg-deb -x.
CACHE=$B/debs
# .complete holds the package list the sysroot was made for, and the
# version of the recipe below: a sysroot made for another list (an older
# Makefile) or by an older recipe is extended with what is missing, not
# trusted.
RECIPE="sysroot-2: $DEV"
if [ "$(cat "$SR/.complete" 2>/dev/null)" != "$RECIPE" ]; then
    stage "making the arm64 sysroot for: $DEV"
    mkdir -p "$CACHE" "$SR"
    # Shared libraries and headers are all a sysroot needs: packages with
    # "lib" in their name and *-dev packages (not the -extra FFmpeg
    # alternatives; -dev ones such as nettle-dev hold .pc files others
    # require); tools, fonts, perl are left out.  "lib" anywhere, not only
    # first: zlib1g (libz.so.1) and ocl-icd-libopencl1 (libOpenCL.so.1) are
    # needed by libavformat and libavutil; a host that had them as :arm64
    # packages hid their absence (issue 18).
    # shellcheck disable=SC2046
    list=$( (apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
                 --no-replaces --no-enhances $(for p in $DEV; do echo "$p:arm64"; done) 2>/dev/null \
             | grep -v '^ ' | grep -v '^<' | sed 's/:arm64$//' | grep -E 'lib|-dev$' | grep -v -- '-extra'
             tr ' ' '\n' <<<"$DEV" | grep .) | sort -u)
    [ -n "$list" ] || { echo "FAIL check-arm64:setup: apt knows no arm64 packages (scripts/install-deps.sh --cross-arm64 adds the architecture)"; exit 1; }
    missing=""
    for p in $list; do
        # (one glob per architecture: a package is arm64 or all, and ls of
        # the two together always fails on the one that does not match)
        compgen -G "$CACHE/${p}_*_arm64.deb" >/dev/null || compgen -G "$CACHE/${p}_*_all.deb" >/dev/null \
            && continue
        c=$(ls /var/cache/apt/archives/"${p}_"*_arm64.deb 2>/dev/null | head -1)
        if [ -n "$c" ]; then cp "$c" "$CACHE/"; else missing="$missing $p:arm64"; fi
    done
    # One apt call for all (each costs seconds): those with an arm64
    # candidate (arch-all data packages are not needed to link or run).
    # shellcheck disable=SC2086
    found=$([ -z "$missing" ] || apt-cache show --no-all-versions $missing 2>/dev/null \
            | awk '/^Package:/ { p = $2 } /^Architecture: arm64/ { print p ":arm64" }' | sort -u)
    # shellcheck disable=SC2086
    [ -z "$found" ] || (cd "$CACHE" && apt-get download $found >/dev/null 2>&1) \
        || { echo "FAIL check-arm64:setup: apt-get download failed for: $found"; exit 1; }
    # .unpacked lists the .debs already in the sysroot: an extended one
    # unpacks only what is new.
    n=0
    for d in "$CACHE"/*.deb; do
        grep -qxF "$(basename "$d")" "$SR/.unpacked" 2>/dev/null && continue
        dpkg-deb -x "$d" "$SR" || exit 1
        basename "$d" >>"$SR/.unpacked"
        n=$((n + 1))
    done
    # Libraries Debian installs through update-alternatives (BLAS and LAPACK
    # for qm-dsp: libblas.so.3 in blas/, made visible by libblas3's postinst,
    # which dpkg-deb -x does not run): the link the alternative would make.
    for alt in blas lapack; do
        for f in "$SR/usr/lib/$TRIPLE/$alt"/lib*.so.*; do
            [ -e "$f" ] && ln -sfn "$alt/$(basename "$f")" "$SR/usr/lib/$TRIPLE/$(basename "$f")"
        done
    done
    echo "check-arm64: sysroot: $(wc -l <<<"$list") packages, $n unpacked now"
    new_sysroot=1
fi
export PKG_CONFIG_SYSROOT_DIR=$SR
export PKG_CONFIG_LIBDIR=$SR/usr/lib/$TRIPLE/pkgconfig:$SR/usr/share/pkgconfig
cflags=$(pkg-config --cflags $PKGS) || { echo "FAIL check-arm64:setup: the sysroot lacks a .pc"; exit 1; }
# Marked complete only once every module resolves in it.
[ -z "${new_sysroot:-}" ] || printf '%s' "$RECIPE" >"$SR/.complete"
# The sysroot's headers are system headers (-isystem): -Werror is for ours.
cflags=$(sed 's/-I/-isystem /g' <<<"$cflags")
# -L: for the libraries without a .pc (-lqm-dsp).
libs="--sysroot=$SR $(pkg-config --libs $PKGS) -L$SR/usr/lib/$TRIPLE -Wl,-rpath-link,$SR/usr/lib/$TRIPLE:$SR/lib/$TRIPLE -Wl,--trace"
# qemu finds the loader and every library in the sysroot, none on the host.
export QEMU_LD_PREFIX=$SR
units=$(for f in tests/unit/test_*.c; do echo "$B/rel/unit/$(basename "$f" .c)"; done)
stage "building"
# cs is linked every run, so the link guard always has a trace to read.
rm -f $B/rel/cs
make --no-print-directory -j"${JOBS:-2}" BUILD=$B CC=$TRIPLE-gcc CXX=$TRIPLE-g++ QM_INC="$SR/usr/include/qm-dsp" \
    PKG_CFLAGS="$cflags" PKG_LIBS="$libs" \
    $B/rel/cs $units >"$B.log" 2>&1 \
    || { trace_check "$B.log"; echo "FAIL check-arm64:build: $(grep -m3 error "$B.log")"; exit 1; }
trace_check "$B.log" && echo "PASS check-arm64:link_inputs (every input from $SR or the cross toolchain)" \
    || fail_line "check-arm64:link_inputs: see above"
file -b $B/rel/cs | grep -q "ARM aarch64" && echo "PASS check-arm64:build" || fail_line "check-arm64:build: not an arm64 binary"
printf '#!/bin/sh\nQEMU_LD_PREFIX=%s exec %s %s "$@"\n' "$SR" "$QEMU" "$PWD/$B/rel/cs" >$B/cs && chmod +x $B/cs
stage "built; running unit tests under $QEMU"

pass=0 fail=0
for u in $units; do
    t_u=$(date +%s)
    out=$(CS_EMULATED=1 $QEMU "$u" 2>&1); rc=$?
    p=$(grep -c '^PASS ' <<<"$out"); f=$(grep -c '^FAIL ' <<<"$out")
    echo "check-arm64: $(basename "$u"): $p passed, $f failed, $(( $(date +%s) - t_u )) s"
    grep '^FAIL ' <<<"$out" | sed 's/^FAIL /FAIL arm64:/'
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && { echo "FAIL arm64:$(basename "$u"): exit $rc"; f=1; }
    pass=$((pass + p)); fail=$((fail + f))
done
echo "check-arm64: unit tests: $pass passed, $fail failed"
[ $fail -eq 0 ] && echo "PASS check-arm64:unit" || fail_line "check-arm64:unit: $fail failed"
stage "e2e (tests/e2e/set.sh with the arm64 cs)"

e2e=$(CS_ROOT=$PWD CS_BIN=$PWD/$B/cs CS_REL_BIN=$PWD/$B/cs SDL_AUDIODRIVER=dummy bash tests/e2e/set.sh 2>&1)
sed 's/^\(PASS\|FAIL\|SKIP\) set:/\1 arm64-set:/' <<<"$e2e" | grep -E '^(PASS|FAIL|SKIP)'
if grep -q '^FAIL' <<<"$e2e" || ! grep -q '^PASS' <<<"$e2e"; then fail_line "check-arm64:e2e"; else echo "PASS check-arm64:e2e"; fi
stage "same render on both"

# One ladder render by each build of the same set: how far apart?  The
# native side is build/rel/cs (make check-arm64 builds it first).
T=$(mktemp -d /tmp/cs-arm64-XXXXXX)
trap 'rm -rf "$T"' EXIT
export CS_DB=$T/db
N=build/rel/cs
if [ ! -x $N ]; then
    fail_line "check-arm64:same_render: no native $N to compare with (make build/rel/cs)"
else
    $N demo "$T/lib" --tracks 8 --bars 2 >/dev/null
    $N index "$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" >/dev/null 2>&1
    $N export --bpm 122.5 --key Gm --n-sections 3 --ladder 118:126:4 --stretch rate --no-progress \
        --set "$T/set" >/dev/null 2>&1
    printf '0 /dance/total_movement f 0.7\n8 /cs/next\n' >"$T/s.osc"
    $N play --set "$T/set" --render "$T/x86.wav" --duration 15 --osc-script "$T/s.osc" >/dev/null 2>&1
    $B/cs play --set "$T/set" --render "$T/arm.wav" --duration 15 --osc-script "$T/s.osc" >/dev/null 2>&1
    diff=$(python3 - "$T/x86.wav" "$T/arm.wav" <<'PY'
import struct, sys
def floats(p):
    try:
        b = open(p, 'rb').read()
    except OSError:
        return ()
    i = b.find(b'data') + 8
    n = (len(b) - i) // 4 if i >= 8 else 0
    return struct.unpack('<%df' % n, b[i:i + 4 * n])
a, c = floats(sys.argv[1]), floats(sys.argv[2])
# a NaN on either side is an infinite difference (max() would skip it)
d = [abs(x - y) if x == x and y == y else float('inf') for x, y in zip(a, c)]
print(len(a), len(c), max(d, default=1.0))
PY
)
    read -r na nc maxd <<<"$diff"
    echo "check-arm64: render: $na vs $nc samples, largest difference $maxd"
    if [ "$na" = "$nc" ] && [ "$na" -gt 0 ] && python3 -c "import sys; sys.exit(not float('$maxd') <= 1e-4)"; then
        echo "PASS check-arm64:same_render"
    else fail_line "check-arm64:same_render: $na vs $nc samples (0: no render), largest difference $maxd"; fi
fi
echo "check-arm64: done in $(( $(date +%s) - t_all )) s"
[ "$failed" = 0 ]
