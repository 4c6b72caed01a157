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
