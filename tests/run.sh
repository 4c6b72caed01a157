#!/usr/bin/env bash
# Runs every unit binary and every e2e script, counts PASS/FAIL/SKIP lines.
# A binary or script that exits non-zero without reporting a FAIL, or that
# times out, counts as one failure.  Last line: "N passed, N failed, N skipped".
# Usage: tests/run.sh [-j N] [PATTERN]   (runs only tests whose file name
# matches; -j N runs N tests at once, default 1).  A test whose timing is
# part of what it checks (wall-clock bounds, CPU cost, underruns, latency)
# says so with a line `# run.sh: alone` and runs after the others, with
# nothing beside it.  A test that mostly waits on the clock (a soak, a
# service's timers: little CPU for its length) says `# run.sh: waits` and
# runs beside the N others from the start instead of holding one of their
# places.  A test that takes long says `# run.sh: long` and starts before
# the others, so no long test starts last and runs alone at the end.
# Each test's lines are printed when it ends, whole.
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
jobs=1
case "${1:-}" in
    -j) jobs=${2:?-j needs a number}; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
esac
case "$jobs" in ''|*[!0-9]*|0) echo "tests/run.sh: -j takes a whole number >= 1, not '$jobs'" >&2; exit 2 ;; esac
pattern=${1:-}
logdir=$(mktemp -d /tmp/cs-tests-XXXXXX)
pass=0 fail=0 skip=0

run_one() {   # name, command...: its report in $logdir/<name>.rep, counts in .cnt
    local name=$1; shift
    local base=$logdir/$(echo "$name" | tr '/ ' '__')
    local out=$base.log
    local t0=$(date +%s%N)
    timeout 600 "$@" >"$out" 2>&1
    local rc=$?
    local p f s
    p=$(grep -c '^PASS ' "$out"); f=$(grep -c '^FAIL ' "$out"); s=$(grep -c '^SKIP ' "$out")
    {
        grep -E '^(FAIL|SKIP) ' "$out"
        if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
            echo "FAIL $name: exited with status $rc without reporting a failure; last lines:"
            tail -n 15 "$out" | sed 's/^/    /'
            f=1
        elif [ "$f" -gt 0 ]; then
            echo "---- $name output (tail):"; tail -n 25 "$out" | sed 's/^/    /'
        fi
        printf "%-40s %3d passed %2d failed %2d skipped  %6d ms\n" "$name" "$p" "$f" "$s" $(( ($(date +%s%N) - t0) / 1000000 ))
    } >"$base.rep"
    echo "$p $f $s" >"$base.cnt"
}

# Every test as "name|kind|command...", kind 0 shared, 1 alone, 2 waits,
# 3 long; units first.
tests=()
for t in build/san/unit/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *"$pattern"*) ;; *) continue ;; esac
    a=0; grep -q '^// run.sh: alone' "tests/unit/$(basename "$t").c" 2>/dev/null && a=1
    tests+=("unit/$(basename "$t")|$a|$t")
done
for t in tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    [ "$(basename "$t")" = lib.sh ] && continue   # helpers, not a test
    case "$t" in *"$pattern"*) ;; *) continue ;; esac
    a=0; grep -q '^# run.sh: alone' "$t" && a=1
    grep -q '^# run.sh: waits' "$t" && a=2
    grep -q '^# run.sh: long' "$t" && a=3
    tests+=("e2e/$(basename "$t")|$a|bash $t")
done

# finish NAME: print its report, add its counts.
finish() {
    local base=$logdir/$(echo "$1" | tr '/ ' '__') p f s
    cat "$base.rep"
    read -r p f s <"$base.cnt"
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}
# The shared tests, up to $jobs at once (reports in the order they end),
# then the timing tests one by one.
running=() waiting=()
ended() { [ -e "$logdir/$(echo "${1%%|*}" | tr '/ ' '__').cnt" ]; }
reap() {   # wait for one job, report every job that has ended
    wait -n 2>/dev/null
    local keep=() e
    for e in "${running[@]}"; do
        if ended "$e"; then finish "${e%%|*}"; else keep+=("$e"); fi
    done
    running=("${keep[@]}")
    keep=()
    for e in ${waiting[@]+"${waiting[@]}"}; do
        if ended "$e"; then finish "${e%%|*}"; else keep+=("$e"); fi
    done
    waiting=(${keep[@]+"${keep[@]}"})
}
# The waiting tests start at once, beside the others; then the long ones
# take the N places first, then the rest.
for e in "${tests[@]}"; do
    IFS='|' read -r name a cmd <<<"$e"
    [ "$a" = 2 ] || continue
    # shellcheck disable=SC2086
    run_one "$name" $cmd &
    waiting+=("$name|$!")
done
for pass_kind in 3 0; do
    for e in "${tests[@]}"; do
        IFS='|' read -r name a cmd <<<"$e"
        [ "$a" = "$pass_kind" ] || continue
        while [ "${#running[@]}" -ge "$jobs" ]; do reap; done
        # shellcheck disable=SC2086
        run_one "$name" $cmd &
        running+=("$name|$!")
    done
done
while [ "${#running[@]}" -gt 0 ] || [ "${#waiting[@]}" -gt 0 ]; do reap; done
for e in "${tests[@]}"; do
    IFS='|' read -r name a cmd <<<"$e"
    [ "$a" = 1 ] || continue
    # shellcheck disable=SC2086
    run_one "$name" $cmd
    finish "$name"
done
rm -rf "$logdir"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
