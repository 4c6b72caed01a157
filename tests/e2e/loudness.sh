#!/usr/bin/env bash
# Loudness (issue 19): a synthesised pool whose tracks are 12 dB apart is
# exported as a set; every part's loudness and true peak in the CSV,
# set.json and the library agree with FFmpeg's ebur128 filter (an
# independent opinion); `cs play --set` renders the tracks at one loudness
# (spread <= 1 LU, each at the -14 LUFS target), never above -1 dBTP, and
# no crossfade raises the level by more than 1.5 dB (two tracks, and one
# track looped into itself: fully correlated).  `--loudness off` is the old
# player bit for bit.  A library and set from before loudness (columns
# absent) get measured on the next export without re-rendering a part, and
# so does one from before the loudness slices (each part's loudness over
# its time, 32 slices, in set.json and the library).
. "$(dirname "$0")/lib.sh"
export CS_DB=$T/db
command -v ffmpeg >/dev/null || { skip all "no ffmpeg"; exit 0; }

# --- the pool: 4 demo tracks, the 2nd and 4th turned down 12 dB ----------
"$CS_REL" demo "$T/lib" --tracks 4 --bars 2 >/dev/null || { fail setup "cs demo"; exit 0; }
i=0
for f in "$T"/lib/audio/*.wav; do
    i=$((i + 1))
    if [ $((i % 2)) = 0 ]; then sox "$f" -t wav "$T/q.wav" vol -12dB && mv "$T/q.wav" "$f"; fi
done
"$CS_REL" index "$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" >/dev/null 2>&1
EXP=(--ladder 116:128:4 --max-stretch 0 --stretch rate -j 2 --no-progress)
G=$T/gig
"$CS_REL" export "${EXP[@]}" --set "$G" >"$T/export.out" 2>"$T/export.err" \
    || { fail setup "cs export: $(tail -2 "$T/export.err")"; exit 0; }
check export_says_loudness grep -q "loudness: 16 of 16 parts measured" "$T/export.out"

# ffmpeg's opinion of a file: "I TP"
ebur() {
    ffmpeg -nostdin -nostats -hide_banner -i "$1" -af "${2:+$2,}ebur128=peak=true" -f null - 2>&1 \
        | sed -n '/Summary:/,$p' | awk '/ I:/ {i=$2} /Peak:/ {p=$2} END {print i, p}'
}

# --- CSV, set.json, library and ffmpeg agree ------------------------------
python3 - "$G" "$CS_DB" >"$T/parts.txt" 2>"$T/py.err" <<'PY'
import csv, json, sqlite3, sys, os
g, db = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(os.path.join(g, "set.csv"), newline="")))
hdr = open(os.path.join(g, "set.csv")).readline().strip().split(",")
assert hdr[:14] == ["path","bpm","key","target_bpm","speed","ini_cue","begin_cue","end_cue","begin_cue_adj",
                    "end_cue_adj","duration_orig","duration_sectioned","part_file_orig","part_file"], hdr
assert hdr[14:] == ["part_lufs", "part_true_peak_dbtp"], hdr
m = json.load(open(os.path.join(g, "set.json")))
man = {}
for t in m["tracks"]:
    for p in t["parts"] + [t["orig"]]:
        man[p["file"]] = (p["lufs"], p["true_peak_dbtp"])
lib = {os.path.relpath(r[0], os.path.realpath(g)): (r[1], r[2]) for r in
       sqlite3.connect(db).execute("SELECT out_path, lufs, true_peak_dbtp FROM renders")}
bad = 0
for r in rows:
    f, L, P = r["part_file"], float(r["part_lufs"]), float(r["part_true_peak_dbtp"])
    if abs(man[f][0] - L) > 1e-9 or abs(lib[f][0] - L) > 1e-9 or abs(lib[f][1] - P) > 1e-9:
        bad += 1
        print("MISMATCH", f, L, man[f], lib[f], file=sys.stderr)
    print(f, L, P, sep="\t")
for f in man:
    if f.startswith("orig/"): print(f, man[f][0], man[f][1], sep="\t")
# Every part's slices: 32 in set.json and the library's text the same to a
# tenth, their energy mean the part's integrated loudness (these parts are
# steady, no silence) within 0.5 LU.
slices = {}
for t in m["tracks"]:
    for p in t["parts"] + [t["orig"]]:
        slices[p["file"]] = (p.get("loudness_slices"), p["lufs"])
libsl = {os.path.relpath(r[0], os.path.realpath(g)): r[1] for r in
         sqlite3.connect(db).execute("SELECT out_path, loudness_slices FROM renders")}
import math
for f, (sl, L) in slices.items():
    ls = libsl.get(f)
    if not sl or len(sl) != 32 or ls is None or len(ls.split(",")) != 32:
        bad += 1; print("NO SLICES", f, sl, ls, file=sys.stderr); continue
    if any(abs(float(a) - b) > 0.051 for a, b in zip(ls.split(","), sl)):
        bad += 1; print("SLICES DIFFER", f, ls, sl, file=sys.stderr)
    mean = 10 * math.log10(sum(10 ** (v / 10) for v in sl) / 32)
    if abs(mean - L) > 0.5:
        bad += 1; print("SLICES MEAN", f, mean, L, file=sys.stderr)
print("BAD", bad)
PY
check csv_header_and_stores_agree grep -q "^BAD 0$" "$T/parts.txt"
[ -s "$T/py.err" ] && fail stores_agree "$(head -3 "$T/py.err")"
worst_i=0 worst_p=0 n=0
while IFS=$'\t' read -r f L P; do
    case $f in 120/*|orig/*) ;; *) continue ;; esac
    read -r fi fp <<<"$(ebur "$G/$f")"
    di=$(awk -v a="$L" -v b="$fi" 'BEGIN { d = a - b; print d < 0 ? -d : d }')
    dp=$(awk -v a="$P" -v b="$fp" 'BEGIN { d = a - b; print d < 0 ? -d : d }')
    worst_i=$(awk -v a="$worst_i" -v b="$di" 'BEGIN { print (a > b ? a : b) }')
    worst_p=$(awk -v a="$worst_p" -v b="$dp" 'BEGIN { print (a > b ? a : b) }')
    n=$((n + 1)); echo "# $f: cs $L LUFS $P dBTP, ffmpeg $fi LUFS $fp dBTP"
done < <(grep -v '^BAD' "$T/parts.txt")
if [ $n -eq 8 ] && near "$worst_i" 0 0.5 && near "$worst_p" 0 0.5; then pass ffmpeg_agrees
else fail ffmpeg_agrees "$n parts; worst difference ${worst_i} LU, ${worst_p} dB true peak"; fi
echo "# parts vs ffmpeg ebur128: worst ${worst_i} LU, ${worst_p} dB TP over $n parts"
spread=$(awk -F'\t' '$1 ~ /^120\// { if (lo == "" || $2 < lo) lo = $2; if (hi == "" || $2 > hi) hi = $2 } END { print hi - lo }' "$T/parts.txt")
if near "$spread" 12.3 1.5; then pass pool_12db_apart; else fail pool_12db_apart "rung-120 parts span $spread LU"; fi

# --- playing: one loudness, true peak under -1 dBTP, level crossfades -----
# (in the set's own order, --order csv: the measure pairs the log with the
# tracks, and the running order is e2e/order.sh's subject)
cat >"$T/tempo.osc" <<'OSC'
0 /set_tempo f 120
25 /set_tempo f 126
50 /set_tempo f 118
OSC
"$CS_REL" play --set "$G" --order csv --render "$T/on.wav" --duration 80 --osc-script "$T/tempo.osc" 2>"$T/on.log" \
    || { fail play "cs play: $(tail -2 "$T/on.log")"; exit 0; }
check play_says_loudness grep -q "loudness: 4 tracks to -14.0 LUFS" "$T/on.log"
read -r ntr spread rise tp lo hi each <<<"$(solo_loudness "$T/on.log" "$T/on.wav" 80)"
echo "# after: $ntr tracks, solo loudness $each LUFS: spread $spread LU, largest fade rise $rise dB, true peak $tp dBTP"
if [ "$ntr" = 4 ] && near "$spread" 0 1; then pass spread_1lu; else fail spread_1lu "$ntr tracks, spread $spread LU ($each)"; fi
if near "$lo" -14 1 && near "$hi" -14 1; then pass at_target; else fail at_target "solo loudness $each"; fi
if awk -v p="$tp" 'BEGIN { exit !(p <= -1.0) }'; then pass true_peak_1dbtp; else fail true_peak_1dbtp "$tp dBTP"; fi
if awk -v r="$rise" 'BEGIN { exit !(r <= 1.5) }'; then pass fade_rise; else fail fade_rise "$rise dB"; fi

# before: --loudness off is the player as it was (soft clip, no gain)
"$CS_REL" play --set "$G" --order csv --render "$T/off.wav" --duration 80 --osc-script "$T/tempo.osc" --loudness off \
    2>"$T/off.log" || fail play_off "$(tail -2 "$T/off.log")"
read -r ntr spread0 rise0 tp0 lo hi each0 <<<"$(solo_loudness "$T/off.log" "$T/off.wav" 80)"
echo "# before (--loudness off): solo loudness $each0 LUFS: spread $spread0 LU, largest fade rise $rise0 dB, true peak $tp0 dBTP"
if near "$spread0" 12.3 1.5; then pass before_spread; else fail before_spread "$spread0 LU"; fi

# the limiter's delay is taken out of the render: the beats land on the
# same frames with loudness on and off
if [ -x "$TOOLS/audiocheck" ]; then
    "$TOOLS/audiocheck" onsets "$T/on.wav" | head -20 >"$T/on.ons"
    "$TOOLS/audiocheck" onsets "$T/off.wav" | head -20 >"$T/off.ons"
    d=$(paste "$T/on.ons" "$T/off.ons" | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d } END { print m * 1000 }')
    if [ "$(wc -l <"$T/on.ons")" -ge 10 ] && near "$d" 0 0.1; then pass beats_unmoved
    else fail beats_unmoved "onsets up to $d ms apart"; fi
else skip beats_unmoved "no $TOOLS/audiocheck"; fi

# a hot target: up to 5 dB of peaks over the ceiling for the limiter to take
"$CS_REL" play --set "$G" --order csv --render "$T/hot.wav" --duration 80 --bpm 122 --loudness-target -6 2>"$T/hot.log"
read -r ntr spreadh riseh tph lo hi eachh <<<"$(solo_loudness "$T/hot.log" "$T/hot.wav" 80)"
echo "# at -6 LUFS (limiting): solo loudness $eachh LUFS: spread $spreadh LU, true peak $tph dBTP"
if awk -v p="$tph" -v s="$spreadh" 'BEGIN { exit !(p <= -1.0 && s <= 1.0) }'; then pass limiter_holds_ceiling
else fail limiter_holds_ceiling "true peak $tph dBTP, spread $spreadh LU"; fi

# one track looped into itself: the most correlated fade there is
cp -r "$G" "$T/gig1"
python3 -c '
import json, sys
m = json.load(open(sys.argv[1] + "/set.json")); m["tracks"] = m["tracks"][:1]
json.dump(m, open(sys.argv[1] + "/set.json", "w"))' "$T/gig1"
"$CS_REL" play --set "$T/gig1" --loop-set --render "$T/loop.wav" --duration 44 --bpm 122 2>"$T/loop.log"
read -r ntr s1 rise1 tp1 _ <<<"$(solo_loudness "$T/loop.log" "$T/loop.wav" 44)"
"$CS_REL" play --set "$T/gig1" --loop-set --render "$T/loop0.wav" --duration 44 --bpm 122 --loudness off 2>/dev/null
read -r _ _ rise10 _ <<<"$(solo_loudness "$T/loop.log" "$T/loop0.wav" 44)"
echo "# one track looped (correlated fade): rise $rise1 dB (before: $rise10 dB), true peak $tp1 dBTP"
if [ "$ntr" -ge 2 ] && awk -v r="$rise1" 'BEGIN { exit !(r <= 1.5) }'; then pass correlated_fade_rise
else fail correlated_fade_rise "$ntr tracks, rise $rise1 dB"; fi

# --- a set and library from before loudness --------------------------------
# The library as an older cs left it (no loudness columns, schema 2) and the
# set's CSV / manifest without them: played, nothing changes; exported
# again, every part is measured from its file, none is rendered.
OLD=$T/old
cp -r "$G" "$OLD"
python3 - "$OLD" <<'PY'
import json, sys, csv, io
d = sys.argv[1]
m = json.load(open(d + "/set.json"))
for t in m["tracks"]:
    for p in t["parts"] + [t["orig"]]:
        p.pop("lufs", None); p.pop("true_peak_dbtp", None); p.pop("loudness_slices", None)
json.dump(m, open(d + "/set.json", "w"))
rows = list(csv.reader(open(d + "/set.csv", newline="")))
with open(d + "/set.csv", "w", newline="") as f:
    w = csv.writer(f)
    for r in rows: w.writerow(r[:14])
PY
"$CS_REL" play --set "$OLD" --render "$T/old.wav" --duration 30 --osc-script "$T/tempo.osc" 2>"$T/old.log"
"$CS_REL" play --set "$G" --render "$T/off30.wav" --duration 30 --osc-script "$T/tempo.osc" --loudness off 2>/dev/null
if grep -q "carries no loudness" "$T/old.log" && cmp -s "$T/old.wav" "$T/off30.wav"; then pass old_set_plays_as_before
else fail old_set_plays_as_before "$(grep -i loudness "$T/old.log" | head -2)"; fi

python3 - "$CS_DB" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
# The library as an older cs left it once migrated: every render row with the
# loudness columns' defaults (migration 5 adds them as NULL / 0).
c.executescript("UPDATE renders SET lufs = NULL, true_peak_dbtp = NULL, loudness_slices = NULL, "
                "loudness_measured = 0;")
PY
snap() { find "$G" -name '*.wav' -exec stat -c '%i %Y %s %n' {} + | sort -k4; }
snap >"$T/before.stat"
cp "$T/parts.txt" "$T/parts.before"
sleep 1
"$CS_REL" export "${EXP[@]}" --set "$G" >"$T/export2.out" 2>"$T/export2.err"
check remeasure_summary grep -q "parts rendered 0, up to date 20 (loudness of 20 measured from the file)" "$T/export2.out"
snap >"$T/after.stat"
if cmp -s "$T/before.stat" "$T/after.stat"; then pass parts_not_rerendered
else fail parts_not_rerendered "$(diff "$T/before.stat" "$T/after.stat" | head -3)"; fi
n_meas=$(python3 -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM renders WHERE loudness_measured = 1 AND lufs IS NOT NULL").fetchone()[0])' "$CS_DB")
csv_same=$(python3 - "$G" "$T/parts.before" <<'PY'
import csv, sys
old = {l.split("\t")[0]: float(l.split("\t")[1]) for l in open(sys.argv[2]) if not l.startswith("BAD")}
rows = list(csv.DictReader(open(sys.argv[1] + "/set.csv", newline="")))
print(max(abs(float(r["part_lufs"]) - old[r["part_file"]]) for r in rows))
PY
)
if [ "$n_meas" = 20 ] && near "$csv_same" 0 0.01; then pass old_parts_measured
else fail old_parts_measured "$n_meas of 20 measured in the library; CSV differs by $csv_same LU"; fi
# a third run has nothing left to measure
"$CS_REL" export "${EXP[@]}" --set "$G" >"$T/export3.out" 2>&1
check nothing_left grep -q "parts rendered 0, up to date 20; tracks" "$T/export3.out"

# A library measured before the slices (migration 8: loudness_slices NULL,
# the rest measured): the next export measures the parts from their files,
# renders none, and set.json gets every part's slices.
sqlite3 "$CS_DB" "UPDATE renders SET loudness_slices = NULL"
python3 - "$G" <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/set.json"))
for t in m["tracks"]:
    for p in t["parts"] + [t["orig"]]: p.pop("loudness_slices", None)
json.dump(m, open(d + "/set.json", "w"))
PY
snap >"$T/before4.stat"
"$CS_REL" export "${EXP[@]}" --set "$G" >"$T/export4.out" 2>&1
snap >"$T/after4.stat"
n_sl=$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1] + "/set.json"))
print(sum(len(p.get("loudness_slices") or []) == 32 for t in m["tracks"] for p in t["parts"] + [t["orig"]]))' "$G")
if grep -q "parts rendered 0, up to date 20 (loudness of 20 measured from the file)" "$T/export4.out" \
    && cmp -s "$T/before4.stat" "$T/after4.stat" && [ "$n_sl" = 20 ] \
    && [ "$(sqlite3 "$CS_DB" "SELECT count(*) FROM renders WHERE loudness_slices IS NOT NULL")" = 20 ]
then pass slices_measured_later; else fail slices_measured_later "$n_sl of 20 parts with slices; $(grep -m1 'up to date' "$T/export4.out")"; fi

# a part that cannot be read when it is measured: named in a warning, kept
# (it was up to date), its loudness left empty; the export goes on
bad=$(find "$G/124" -name '*.wav' | head -1)
head -c "$(stat -c %s "$bad")" /dev/urandom >"$T/junk" && cat "$T/junk" >"$bad"
python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE renders SET loudness_measured = 0, lufs = NULL WHERE out_path = ?", (sys.argv[2],)); c.commit()' \
    "$CS_DB" "$(realpath "$bad")"
# (a CSV beside the parts, not a set: set.json would refuse the bad part)
"$CS_REL" export "${EXP[@]}" --parts-dir "$G" --csv-out "$T/c.csv" >"$T/export4.out" 2>"$T/export4.err"; rc=$?
name=$(basename "$bad")
if [ $rc = 0 ] && grep -q "warning: loudness not measured: .*$name: cannot read" "$T/export4.err" \
    && grep -q "loudness: 15 of 16 parts measured" "$T/export4.out"; then pass unreadable_part_warned
else fail unreadable_part_warned "rc $rc: $(cat "$T/export4.err" | head -2)"; fi

# --- options ------------------------------------------------------------------
"$CS_REL" play --set "$G" --render "$T/x.wav" --duration 1 --loudness-target 3 >/dev/null 2>"$T/err"; rc=$?
if [ $rc = 2 ] && grep -q -- "--loudness-target 3: outside -60..0 LUFS" "$T/err"; then pass bad_target; else fail bad_target "rc $rc: $(cat "$T/err")"; fi
"$CS_REL" play --set "$G" --render "$T/x.wav" --duration 1 --loudness maybe >/dev/null 2>"$T/err"; rc=$?
check bad_loudness_word test $rc = 2
"$CS_REL" play --set "$G" --render "$T/x.wav" --duration 2 --loudness-target -20 2>"$T/err" >/dev/null
check target_taken grep -q "4 tracks to -20.0 LUFS" "$T/err"
"$CS_REL" play --help >"$T/help" 2>&1
check play_help grep -q -- "--loudness-target LUFS" "$T/help"
"$CS_REL" export --help >"$T/help" 2>&1
check export_help grep -q "part_lufs, part_true_peak_dbtp" "$T/help"
