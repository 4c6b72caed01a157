#!/usr/bin/env bash
# The built-in demo: synthesise a library, index it, search it, export a BPM
# ladder of its sections.  Everything goes to ./demo-out (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
CS=${CS:-$PWD/build/rel/cs}
OUT=${1:-demo-out}
mkdir -p "$OUT"
DB=$OUT/library.db
export CS_DB=$DB

step() { printf '\n== %s\n' "$*"; }

step "1. synthesise a demo library (audio, allin1 struct JSONs, Rekordbox XML)"
"$CS" demo "$OUT/library" --tracks 12 --bars 5

step "2. index it"
"$CS" index "$OUT/library/struct" --rekordbox-xml "$OUT/library/rekordbox.xml"

step "3. search: 122.5 BPM +- 3, keys Gm or Cm (any notation), 3 sections after the intro"
"$CS" search --bpm 122.5 --delta 3 --key "Gm,Cm" --n-sections 3 --format table

step "4. export the ladder 106..130 (Rubber Band R3, pitch kept) and the debug CSV"
# Rungs 4 BPM apart: playing the nearest one never resamples more than ±2%.
"$CS" export --bpm 122.5 --delta 3 --key "Gm,Cm" --n-sections 3 \
    --ladder 106:130:4 \
    --csv-out "$OUT/selected.csv" --parts-dir "$OUT/parts"
echo
echo "CSV (first rows):"
head -4 "$OUT/selected.csv" | cut -c1-160
echo
echo "parts:"
(cd "$OUT/parts" && ls -d */ | tr '\n' ' ' && echo)

step "5. export again: nothing to redo"
"$CS" export --bpm 122.5 --delta 3 --key "Gm,Cm" --n-sections 3 \
    --ladder 106:130:4 \
    --csv-out "$OUT/selected.csv" --parts-dir "$OUT/parts" --no-progress

step "6. a crowd mix: 3 minutes of scripted movement drive the tempo across the rungs"
# /dance/total_movement once a second, as the detector sends it: calm, a
# peak, a lull, a recovery; the ladder set follows with no live stretching.
awk 'BEGIN { for (t = 0; t < 180; t++) {
    m = t < 30 ? 0.30 : t < 75 ? 0.30 + 0.40 * (t - 30) / 45 : t < 130 ? 0.70 - 0.69 * (t - 75) / 55 : 0.01 + 0.19 * (t - 130) / 50;
    printf "%d /dance/total_movement f %.3f\n", t, m } }' >"$OUT/crowd.osc"
"$CS" play --csv "$OUT/selected.csv" --loop-set --render "$OUT/crowd-mix.wav" --duration 180 \
    --osc-script "$OUT/crowd.osc" --trace "$OUT/crowd-trace.csv" --plot "$OUT/crowd-mix.svg" 2>&1 |
    grep -E "ladder set|track [0-9]+/|rung .* -> |set finished|rendered" | cut -c1-150

echo
echo "demo done: library $DB, parts in $OUT/parts, CSV $OUT/selected.csv,"
echo "crowd mix $OUT/crowd-mix.wav (trace $OUT/crowd-trace.csv, plot $OUT/crowd-mix.svg)"
