#!/usr/bin/env bash
# The export's stretch budget (issue 20): `cs export --ladder 98:134:4
# --max-stretch 8` renders each track only at the rungs within +-8 % of its
# own BPM (a track with none: its nearest rung alone, warned), set.json
# lists each track's reach, and the summary says how many parts the budget
# saved and which tempi no track reaches.  Tracks at 96, 104, 112, 121 and
# 160 BPM (demo audio, the structs' BPMs rewritten: only the BPMs matter).
. "$(dirname "$0")/lib.sh"
export CS_DB=$T/db

"$CS_REL" demo "$T/lib" --tracks 5 --bars 1 >/dev/null || { fail setup "cs demo"; exit 0; }
python3 - "$T/lib/struct" <<'PY' || { fail setup "rewriting BPMs"; exit 0; }
import glob, json, sys
for f, bpm in zip(sorted(glob.glob(sys.argv[1] + "/*.json")), (96, 104, 112, 121, 160)):
    m = json.load(open(f)); m["bpm"] = float(bpm); json.dump(m, open(f, "w"))
PY
EXP=(--ladder 98:134:4 --stretch rate -j 2 --no-progress)
"$CS_REL" export "$T/lib/struct" "${EXP[@]}" --set "$T/gig" >"$T/out" 2>"$T/err" \
    || { fail setup "cs export: $(tail -2 "$T/err")"; exit 0; }

# 96: 98 102; 104: 98..110; 112: 106..118; 121: 114..130; 160: 134 alone.
# 50 rungs in all, 16 rendered: the budget saved 34.
check summary_saved grep -q "^stretch budget +-8 %: 34 parts not rendered (beyond their track's reach); 1 track with no rung within it plays its nearest rung; no track reaches 131-133 BPM$" "$T/out"
check nearest_warned grep -q "160 BPM: no rung within +-8 %; only its nearest, 134 BPM (-16.2 %)" "$T/err"
python3 - "$T/gig" >"$T/check" 2>&1 <<'PY'
import csv, json, sys
g = sys.argv[1]
rows = list(csv.DictReader(open(g + "/set.csv", newline="")))
want = {96: [98, 102], 104: [98, 102, 106, 110], 112: [106, 110, 114, 118], 121: [114, 118, 122, 126, 130], 160: [134]}
got = {}
for r in rows:
    got.setdefault(int(float(r["bpm"])), []).append(int(float(r["target_bpm"])))
    if float(r["bpm"]) != 160:
        assert abs(float(r["target_bpm"]) / float(r["bpm"]) - 1) <= 0.08 + 1e-9, r
assert got == want, got
m = json.load(open(g + "/set.json"))
assert m["max_stretch"] == 8, m.get("max_stretch")
reach = {int(t["bpm"]): t["reach"] for t in m["tracks"]}
assert abs(reach[121][0] - 111.32) < 1e-9 and abs(reach[121][1] - 130.68) < 1e-9, reach
assert reach[160] == [134, 134], reach
assert sorted(int(p["bpm"]) for t in m["tracks"] for p in t["parts"]) == sorted(sum(want.values(), []))
print("ok")
PY
if [ "$(tail -1 "$T/check")" = ok ]; then pass rows_within_budget_and_reach; else fail rows_within_budget_and_reach "$(tail -3 "$T/check")"; fi

# the set plays, and its manifest checks out
"$CS_REL" play --set "$T/gig" --check >/dev/null 2>&1
check set_checks test $? -eq 0
"$CS_REL" play --set "$T/gig" --render "$T/x.wav" --duration 4 --bpm 110 >/dev/null 2>"$T/perr"
check set_plays test $? -eq 0

# --max-stretch 0: every rung, no budget line (3 rungs x 5 tracks)
SHORT=(--ladder 98,116,134 --stretch rate -j 2 --no-progress)
"$CS_REL" export "$T/lib/struct" "${SHORT[@]}" --max-stretch 0 --set "$T/all" >"$T/out0" 2>&1
rows=$(( $(wc -l <"$T/all/set.csv") - 1 ))
if [ "$rows" = 15 ] && ! grep -q "stretch budget" "$T/out0"; then pass no_budget_every_rung
else fail no_budget_every_rung "$rows rows: $(tail -2 "$T/out0")"; fi

# a wider budget closes the gap (96..121 reach 135.5 at 12 %)
"$CS_REL" export "$T/lib/struct" --ladder 98:134:12 --stretch rate -j 2 --no-progress --max-stretch 12 \
    --set "$T/wide" >"$T/out12" 2>&1
check wide_no_gap grep -q "every rung from 98 to 134 BPM is within some track's reach" "$T/out12"

# a single target is the original exporter's: no budget
"$CS_REL" export "$T/lib/struct" --target-bpm 130 --stretch rate -j 2 --no-progress --csv-out "$T/one.csv" \
    --parts-dir "$T/one" >"$T/out1" 2>&1
rows=$(( $(wc -l <"$T/one.csv") - 1 ))
if [ "$rows" = 5 ] && ! grep -q "stretch budget" "$T/out1"; then pass single_target_unbudgeted
else fail single_target_unbudgeted "$rows rows"; fi

"$CS_REL" export "$T/lib/struct" "${EXP[@]}" --max-stretch 120 --set "$T/bad" >/dev/null 2>"$T/err"; rc=$?
if [ $rc = 2 ] && grep -q -- "--max-stretch 120: outside 0..100 %" "$T/err"; then pass bad_budget; else fail bad_budget "rc $rc: $(cat "$T/err")"; fi
"$CS_REL" export --help >"$T/help" 2>&1
check help_max_stretch grep -q -- "--max-stretch PCT" "$T/help"
