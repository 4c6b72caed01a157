#!/usr/bin/env bash
# Benchmark (not pass/fail): the CPU a ladder set costs against the same
# music played with live time-stretching, in one run on this machine.
#  A. ladder: `cs play --csv` over rungs (R2 renders), a movement curve that
#     crosses rungs, track changes, rung switches; offline render.
#  B. live stretch: the tracks' original-speed cuts on two decks with
#     `--stretch-method rubberband` (the master mix through the real-time
#     stretcher), the same movement script; offline render (the worker runs
#     synchronously there, so CPU time is the whole cost).
# Prints CPU seconds per second of audio for each, the ratio, and the offline
# render speed (x real time) of A.  Env: SECONDS_AUDIO (120), CS (build/rel/cs).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
CS=${CS:-$ROOT/build/rel/cs}
DUR=${SECONDS_AUDIO:-120}
T=$(mktemp -d /tmp/cs-bench-crowd-XXXXXX)
trap 'rm -rf "$T"' EXIT
export CS_DB=$T/db

"$CS" demo "$T/lib" --tracks 8 --bars 4 >/dev/null
"$CS" index "$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" >/dev/null 2>&1
(cd "$T" && "$CS" export --bpm 122.5 --delta 2 --key "Gm,Cm" --n-sections 3 --ladder 106:130:4 \
    --stretch rubberband --quality fast --csv-out set.csv --parts-dir parts -j 2 --no-progress) >/dev/null 2>&1

awk -v d="$DUR" 'BEGIN { for (t = 0; t < d; t++) {
    m = 0.35 + 0.33 * sin(6.2832 * t / 60); printf "%d /dance/total_movement f %.3f\n", t, m } }' >"$T/move.osc"
# B's script: the same movement, plus two original-speed cuts looping on A and B.
mapfile -t ORIG < <(ls "$T"/parts/orig/*.wav | head -2)
{ echo "0 /load_buffer is 100 \"${ORIG[0]}\""; echo "0 /load_buffer is 1100 \"${ORIG[1]}\""
  echo "0.05 /play_stem if 100 1.0"; echo "0.05 /play_stem if 1100 1.0"
  echo "0.05 /deck_levels ffff 0.7 0.7 0 0"; cat "$T/move.osc"; } >"$T/live.osc"

cpu() {   # cpu LOG CMD...: user+sys seconds of CMD
    local log=$1; shift
    /usr/bin/env time -f "%U %S %e" -o "$log.time" "$@" >"$log" 2>&1
    awk '{printf "%.3f %.3f\n", $1 + $2, $3}' "$log.time"
}
read -r A_CPU A_WALL < <(cpu "$T/a.log" "$CS" play --csv "$T/set.csv" --loop-set --render "$T/a.wav" \
    --duration "$DUR" --osc-script "$T/move.osc")
read -r B_CPU B_WALL < <(cpu "$T/b.log" "$CS" play --stretch-method rubberband --render "$T/b.wav" \
    --duration "$DUR" --osc-script "$T/live.osc")
# C: B without the stretcher (playback_rate): what B costs apart from stretching.
read -r C_CPU C_WALL < <(cpu "$T/c.log" "$CS" play --render "$T/c.wav" --duration "$DUR" --osc-script "$T/live.osc")
SW=$(grep -c "rung .* -> " "$T/a.log" || true)
TR=$(grep -c "^cs: track " "$T/a.log" || true)
echo "audio: $DUR s each; ladder: $TR track starts, $SW rung switches"
awk -v a="$A_CPU" -v b="$B_CPU" -v c="$C_CPU" -v d="$DUR" -v aw="$A_WALL" -v bw="$B_WALL" 'BEGIN {
    printf "A ladder set      : %.3f s CPU  (%.5f s per s of audio; render %.0fx real time)\n", a, a / d, d / (aw > 0 ? aw : 1e-3)
    printf "B live rubberband : %.3f s CPU  (%.5f s per s of audio; render %.0fx real time)\n", b, b / d, d / (bw > 0 ? bw : 1e-3)
    printf "C same, no stretch: %.3f s CPU  (%.5f s per s of audio)\n", c, c / d
    printf "ratio B/A         : %.1fx whole process (target >= 50x)\n", b / (a > 0 ? a : 1e-3)
    printf "stretching alone  : B-C = %.3f s CPU vs the whole ladder set A = %.3f s: %.1fx\n", b - c, a, (b - c) / (a > 0 ? a : 1e-3) }'
echo "(startup: decoder/sndfile/process costs are included in both; the ladder figure also"
echo " includes opening each rung's file; see the logs in a copy of $T for details)"
