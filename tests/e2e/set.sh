#!/usr/bin/env bash
# Sets that travel (issue 11): `cs export --set DIR` with an ABSOLUTE folder,
# played by `cs play --set DIR` offline; then the folder is moved elsewhere
# and the library deleted, and the same script must render the same audio,
# sample for sample.  A CSV exported into an absolute --parts-dir plays
# after its parts move, with `--csv F --parts-dir NEW`.  `--check` (and
# `cs doctor --set`) name a removed and a truncated part, and the removed
# original-speed cut too.
. "$(dirname "$0")/lib.sh"
export CS_DB=$T/db

"$CS_REL" demo "$T/lib" --tracks 8 --bars 2 >/dev/null || { fail setup "cs demo"; exit 0; }
"$CS_REL" index "$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" >/dev/null 2>&1
SEL=(--bpm 122.5 --delta 2 --key Gm --n-sections 3 --ladder 114:130:8 --stretch rate -j 2 --no-progress)
"$CS_REL" export "${SEL[@]}" --set "$T/laptop/gig" >"$T/export.log" 2>&1 \
    || { fail setup "cs export --set: $(tail -2 "$T/export.log")"; exit 0; }

G=$T/laptop/gig
if [ -f "$G/set.json" ] && [ -f "$G/set.csv" ]; then pass set_files; else fail set_files "no set.json/set.csv in $G"; exit 0; fi
# Part paths in the CSV are relative to it; the manifest has a grid per track.
if ! cut -d, -f13,14 "$G/set.csv" | tail -n +2 | grep -q '/tmp\|^/'; then pass csv_relative
else fail csv_relative "absolute part paths: $(sed -n 2p "$G/set.csv")"; fi
grid=$(python3 -c '
import json,sys
m=json.load(open(sys.argv[1]))
print(m["format_version"], len(m["tracks"]), min(len(t["beats"]) for t in m["tracks"]),
      len(m["rungs"]), m["method"], m["selection"]["keys"])' "$G/set.json")
read -r ver ntr minbeats nrungs method keys <<<"$grid"
if [ "$ver" = 1 ] && [ "$ntr" -ge 2 ] && [ "$minbeats" -ge 8 ] && [ "$nrungs" = 3 ] && [ "$method" = rate ] && [ "$keys" = Gm ]
then pass manifest; else fail manifest "got: $grid"; fi

cat >"$T/crowd.osc" <<'OSC'
0 /dance/total_movement f 0.3
5 /dance/total_movement f 0.7
12 /cs/next
15 /set_tempo f 126
OSC
play_set() {   # play_set DIR OUT [more args]: render from /, no library
    local dir=$1 out=$2; shift 2
    (cd / && "$CS" --db "$T/no-such.db" play --set "$dir" --render "$out" --duration 20 \
        --osc-script "$T/crowd.osc" "$@") >"$out.log" 2>&1
}
play_set "$G" "$T/before.wav" || { fail play_set "$(tail -2 "$T/before.wav.log")"; exit 0; }
grep -q "beat grids from its set.json" "$T/before.wav.log" && pass grid_from_manifest \
    || fail grid_from_manifest "$(grep -m1 'set ' "$T/before.wav.log")"

# Move the folder to another place and delete the library: the same samples.
mkdir -p "$T/pi/media"
mv "$G" "$T/pi/media/gig-copy"
rm -rf "$T/laptop" "$CS_DB"
M=$T/pi/media/gig-copy
play_set "$M" "$T/after.wav" || fail play_moved "$(tail -2 "$T/after.wav.log")"
if cmp -s "$T/before.wav" "$T/after.wav"; then pass moved_same_samples
else fail moved_same_samples "$(cmp "$T/before.wav" "$T/after.wav" 2>&1 | head -1)"; fi
# The same folder copied with cp -a to a third place plays the same too.
cp -a "$M" "$T/usb"
play_set "$T/usb" "$T/copied.wav"
cmp -s "$T/before.wav" "$T/copied.wav" && pass copied_same_samples || fail copied_same_samples "differs"
# Its CSV alone finds the parts and the grids beside it.
(cd / && "$CS" --db "$T/no-such.db" play --csv "$M/set.csv" --render "$T/csv.wav" --duration 20 \
    --osc-script "$T/crowd.osc") >"$T/csv.log" 2>&1
if grep -q "beat grids of $ntr of $ntr tracks from .*set.json" "$T/csv.log"; then pass csv_in_set
else fail csv_in_set "$(grep -m2 'grid\|error' "$T/csv.log")"; fi

# --check: whole, then one rung part removed, one truncated, one cut removed.
"$CS" play --set "$M" --check >"$T/check0.log" 2>&1 && pass check_whole || fail check_whole "$(tail -2 "$T/check0.log")"
gone=$(ls "$M"/114/*.wav | head -1); short=$(ls "$M"/122/*.wav | tail -1); cut=$(ls "$M"/orig/*.wav | tail -1)
rm "$gone" "$cut"
truncate -s $(( $(stat -c %s "$short") / 2 )) "$short"
"$CS" play --set "$M" --check >"$T/check1.log" 2>&1; rc=$?
if [ $rc = 1 ] && grep -qF "$gone: missing" "$T/check1.log" && grep -qF "$short: changed" "$T/check1.log" \
    && grep -qF "$cut: missing" "$T/check1.log" && grep -q "3 of .* parts missing or changed" "$T/check1.log"
then pass check_names_bad_parts; else fail check_names_bad_parts "rc=$rc: $(cat "$T/check1.log")"; fi
if "$CS" doctor --set "$M" >"$T/doctor.log" 2>&1; then fail doctor_set "exit 0 with a broken set"
elif grep -qF "$gone: missing" "$T/doctor.log" && grep -qF "$short: changed" "$T/doctor.log"; then pass doctor_set
else fail doctor_set "$(grep -v '^ ' "$T/doctor.log" | tail -3)"; fi
echo '{"format":"cs-set","format_version":1,"tracks":[{"path":"a","parts":[{"file":"../../etc/passwd"}]}]}' >"$T/usb/set.json"
"$CS" play --set "$T/usb" --check >"$T/check2.log" 2>&1
grep -q "set.json: a part whose file is not a path inside the set" "$T/check2.log" && pass manifest_escape \
    || fail manifest_escape "$(cat "$T/check2.log")"

# A CSV exported into an absolute --parts-dir, parts moved: --parts-dir NEW.
export CS_DB=$T/db2
"$CS_REL" index "$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" >/dev/null 2>&1
"$CS_REL" export "${SEL[@]}" --parts-dir "$T/old/parts" --csv-out "$T/old.csv" >"$T/export2.log" 2>&1
(cd / && "$CS" play --csv "$T/old.csv" --render "$T/old1.wav" --duration 20 --osc-script "$T/crowd.osc") >"$T/old1.log" 2>&1
mv "$T/old/parts" "$T/moved-parts"
(cd / && "$CS" play --csv "$T/old.csv" --parts-dir "$T/moved-parts" --render "$T/old2.wav" --duration 20 \
    --osc-script "$T/crowd.osc") >"$T/old2.log" 2>&1
if [ -s "$T/old1.wav" ] && cmp -s "$T/old1.wav" "$T/old2.wav"; then pass csv_parts_dir_moved
else fail csv_parts_dir_moved "$(grep -m2 'error\|warn' "$T/old2.log")"; fi

# A CSV written into the parts folder makes that folder a set too.
"$CS_REL" export "${SEL[@]}" --parts-dir "$T/p2" --csv-out "$T/p2/mine.csv" >"$T/export3.log" 2>&1
csvname=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csv"])' "$T/p2/set.json" 2>/dev/null)
if [ "$csvname" = mine.csv ] && ! cut -d, -f14 "$T/p2/mine.csv" | tail -n +2 | grep -q "$T" \
    && "$CS" play --set "$T/p2" --check >/dev/null 2>&1
then pass csv_in_parts_makes_set; else fail csv_in_parts_makes_set "csv=$csvname: $(sed -n 2p "$T/p2/mine.csv" | cut -d, -f14)"; fi
