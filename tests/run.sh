#!/usr/bin/env bash
# Runs every unit binary and every e2e script, counts PASS/FAIL/SKIP lines.
# A binary or script that exits non-zero without reporting a FAIL, or that
# times out, counts as one failure.  Last line: "N passed, N failed, N skipped".
# Usage: tests/run.sh [PATTERN]   (runs only tests whose file name matches)
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
export CS_ROOT=$ROOT
export CS_BIN=${CS_BIN:-$ROOT/build/san/cs}
export CS_REL_BIN=${CS_REL_BIN:-$ROOT/build/rel/cs}
export CS_TOOLS=${CS_TOOLS:-$ROOT/build/rel/tools}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
[ -n "${CS_REALDATA:-}" ] || { [ -d "$ROOT/../shared/realdata" ] && export CS_REALDATA=$ROOT/../shared/realdata; }
pattern=${1:-}
logdir=$(mktemp -d /tmp/cs-tests-XXXXXX)
pass=0 fail=0 skip=0

run_one() {   # name, command...
    local name=$1; shift
    local out=$logdir/$(echo "$name" | tr '/ ' '__').log
    local t0=$(date +%s%N)
    timeout 600 "$@" >"$out" 2>&1
    local rc=$?
    local p f s
    p=$(grep -c '^PASS ' "$out"); f=$(grep -c '^FAIL ' "$out"); s=$(grep -c '^SKIP ' "$out")
    grep -E '^(FAIL|SKIP) ' "$out"
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $name: exited with status $rc without reporting a failure; last lines:"
        tail -n 15 "$out" | sed 's/^/    /'
        f=1
    elif [ "$f" -gt 0 ]; then
        echo "---- $name output (tail):"; tail -n 25 "$out" | sed 's/^/    /'
    fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
    printf "%-40s %3d passed %2d failed %2d skipped  %6d ms\n" "$name" "$p" "$f" "$s" $(( ($(date +%s%N) - t0) / 1000000 ))
}

for t in build/san/unit/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *"$pattern"*) ;; *) continue ;; esac
    run_one "unit/$(basename "$t")" "$t"
done
for t in tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    [ "$(basename "$t")" = lib.sh ] && continue   # helpers, not a test
    case "$t" in *"$pattern"*) ;; *) continue ;; esac
    run_one "e2e/$(basename "$t")" bash "$t"
done
rm -rf "$logdir"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
