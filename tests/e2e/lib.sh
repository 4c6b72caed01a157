# Helpers for e2e scripts: source it, then call `check NAME CMD...` or
# `pass NAME` / `fail NAME WHY` / `skip NAME WHY`.  Each prints one line that
# tests/run.sh counts.  $CS is the sanitizer build of cs, $T a fresh temp dir.
set -u
CS=${CS_BIN:-$CS_ROOT/build/san/cs}
CS_REL=${CS_REL_BIN:-$CS_ROOT/build/rel/cs}
TOOLS=${CS_TOOLS:-$CS_ROOT/build/rel/tools}
T=$(mktemp -d /tmp/cs-e2e-XXXXXX)
trap 'rm -rf "$T"' EXIT
_script=$(basename "$0" .sh)
pass() { echo "PASS $_script:$1"; }
fail() { echo "FAIL $_script:$1: $2"; }
skip() { echo "SKIP $_script:$1: $2"; }
check() {   # check NAME CMD... : passes when CMD exits 0
    local name=$1; shift
    if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}
# near A B EPS: true when |A-B| <= EPS
near() { awk -v a="$1" -v b="$2" -v e="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= e) }'; }
# sox dithers whatever it writes at 16 bits, from a time seed: without -R
# (repeatable) every run would test a different fixture.
sox() { command sox -R "$@"; }
# ladder_set_fixture: the demo library in $T/lib indexed into $CS_DB, and two
# Gm tracks (one tone, 196 Hz) exported as a ladder 114:130:4 (rungs 4 BPM
# apart keep the rate within ±2%) into $T/parts, CSV $T/set.csv.  Reports
# `FAIL setup` and returns 1 when a step fails.
ladder_set_fixture() {
    "$CS_REL" demo "$T/lib" --tracks 8 --bars 2 >/dev/null || { fail setup "cs demo"; return 1; }
    "$CS_REL" index "$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" >/dev/null 2>&1
    (cd "$T" && "$CS_REL" export --bpm 122.5 --delta 2 --key Gm --n-sections 3 --ladder 114:130:4 \
        --stretch rubberband --quality fast --csv-out set.csv --parts-dir parts -j 2 --no-progress) \
        >"$T/export.log" 2>&1 || { fail setup "cs export: $(tail -2 "$T/export.log")"; return 1; }
}
