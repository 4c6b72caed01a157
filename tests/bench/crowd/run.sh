#!/usr/bin/env bash
# Benchmark (not pass/fail): the CPU a ladder set costs against the same
# music played with live time-stretching, in one run on this machine.
#  A. ladder: `cs play --csv` over rungs (R2 renders), a movement curve that
#     crosses rungs, track changes, rung switches; offline render.
#  B/D. live stretch: the tracks' original-speed cuts on two decks with
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
# Each run twice, for DUR and DUR/4 seconds: the difference is what playing
# costs per second once the process is up (a set runs for hours; start-up,
# library and file probing are paid once).
SHORT=$((DUR / 4))
A=("$CS" play --csv "$T/set.csv" --loop-set --render "$T/a.wav" --osc-script "$T/move.osc" --duration)
B=("$CS" play --stretch-method rubberband --render "$T/b.wav" --osc-script "$T/live.osc" --duration)
# D: live rubberband at the rungs' own quality (full R3, --stretch-quality best).
D=("$CS" play --stretch-method rubberband --stretch-quality best --render "$T/d.wav" --osc-script "$T/live.osc" --duration)
# C: B without the stretcher (playback_rate): what B costs apart from stretching.
C=("$CS" play --render "$T/c.wav" --osc-script "$T/live.osc" --duration)
read -r A_CPU A_WALL < <(cpu "$T/a.log" "${A[@]}" "$DUR")
read -r A0_CPU A0_WALL < <(cpu "$T/a0.log" "${A[@]}" "$SHORT")
read -r B_CPU B_WALL < <(cpu "$T/b.log" "${B[@]}" "$DUR")
read -r B0_CPU B0_WALL < <(cpu "$T/b0.log" "${B[@]}" "$SHORT")
read -r D_CPU D_WALL < <(cpu "$T/d.log" "${D[@]}" "$DUR")
read -r D0_CPU D0_WALL < <(cpu "$T/d0.log" "${D[@]}" "$SHORT")
read -r C_CPU C_WALL < <(cpu "$T/c.log" "${C[@]}" "$DUR")
read -r C0_CPU C0_WALL < <(cpu "$T/c0.log" "${C[@]}" "$SHORT")
SW=$(grep -c "rung .* -> " "$T/a.log" || true)
TR=$(grep -c "^cs: track " "$T/a.log" || true)
echo "audio: $DUR s each (and $SHORT s for the marginal cost); ladder: $TR track starts, $SW rung switches"
awk -v a="$A_CPU" -v b="$B_CPU" -v c="$C_CPU" -v a0="$A0_CPU" -v b0="$B0_CPU" -v c0="$C0_CPU" \
    -v dd="$D_CPU" -v d0="$D0_CPU" \
    -v d="$DUR" -v s="$SHORT" -v aw="$A_WALL" -v bw="$B_WALL" 'BEGIN {
    m = d - s
    ma = (a - a0) / m; mb = (b - b0) / m; mc = (c - c0) / m; md = (dd - d0) / m
    if (ma <= 0) ma = 1e-6
    printf "A ladder set      : %.3f s CPU  (render %.0fx real time); marginal %.5f s per s of audio\n", a, d / (aw > 0 ? aw : 1e-3), ma
    printf "B live rubberband : %.3f s CPU  (render %.0fx real time); marginal %.5f s per s of audio\n", b, d / (bw > 0 ? bw : 1e-3), mb
    printf "D live R3 (best)  : %.3f s CPU;  marginal %.5f s per s of audio\n", dd, md
    printf "C same, no stretch: %.3f s CPU;  marginal %.5f s per s of audio\n", c, mc
    printf "ratio B/A, whole process      : %.1fx\n", b / (a > 0 ? a : 1e-3)
    printf "ratio B/A, per second playing : %.1fx (target >= 50x; live R3 short window)\n", mb / ma
    printf "ratio D/A, per second playing : %.1fx (target >= 50x; live full R3, the rungs quality)\n", md / ma
    printf "stretching alone vs ladder    : (B-C)/A per second = %.1fx\n", (mb - mc) / ma }'
echo "(both render offline into a WAV, so writing the output is in both figures; the ladder"
echo " figure includes opening each rung's file at switches)"
