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
"$CS" demo "$OUT/library" --tracks 8

step "2. index it"
"$CS" index "$OUT/library/struct" --rekordbox-xml "$OUT/library/rekordbox.xml"

step "3. search: 122.5 BPM +- 2, keys Gm or Cm (any notation), 3 sections after the intro"
"$CS" search --bpm 122.5 --delta 2 --key "Gm,Cm" --n-sections 3 --format table

step "4. export the ladder 105..130 (Rubber Band R3, pitch kept) and the debug CSV"
"$CS" export --bpm 122.5 --delta 2 --key "Gm,Cm" --n-sections 3 \
    --ladder 105,110,115,118,120,125,130 \
    --csv-out "$OUT/selected.csv" --parts-dir "$OUT/parts"
echo
echo "CSV (first rows):"
head -4 "$OUT/selected.csv" | cut -c1-160
echo
echo "parts:"
(cd "$OUT/parts" && ls -d */ | tr '\n' ' ' && echo)

step "5. export again: nothing to redo"
"$CS" export --bpm 122.5 --delta 2 --key "Gm,Cm" --n-sections 3 \
    --ladder 105,110,115,118,120,125,130 \
    --csv-out "$OUT/selected.csv" --parts-dir "$OUT/parts" --no-progress

echo
echo "demo done: library $DB, parts in $OUT/parts, CSV $OUT/selected.csv"
