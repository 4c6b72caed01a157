#!/usr/bin/env bash
# cs play --csv takes each track's beat grid from the library when the CSV's
# track is there: a track whose tempo drifts (120 -> 128 BPM after its
# intro) hands over to the next on one of its real beats, not on the CSV
# rule's even grid (beat 0 at the part start every 60 / bpm).  The incoming
# track is a tone without clicks, so every onset in the mix is the outgoing
# track's: the handover time the player logs must be one of them.
. "$(dirname "$0")/lib.sh"
command -v sox >/dev/null || { skip all "sox not installed"; exit 0; }
AC=$TOOLS/audiocheck
[ -x "$AC" ] || { skip all "audiocheck not built ($AC)"; exit 0; }

python3 - "$T" <<'PY'
import array, json, math, os, sys
T = sys.argv[1]; R = 44100
os.makedirs(f"{T}/audio", exist_ok=True); os.makedirs(f"{T}/struct", exist_ok=True)
def track(name, beats, clicks, hz, bpm, dur):
    n = int(dur * R); a = array.array("f", [0.0] * (2 * n))
    for i in range(n):                      # a quiet tone under everything
        v = 0.1 * math.sin(2 * math.pi * hz * i / R); a[2 * i] = v; a[2 * i + 1] = v
    if clicks:
        for b in beats:
            s = int(round(b * R))
            for k in range(int(0.003 * R)):
                v = 0.7 * math.sin(2 * math.pi * 2000 * k / R)
                if 2 * (s + k) + 1 < len(a): a[2 * (s + k)] += v; a[2 * (s + k) + 1] += v
    open(f"{T}/audio/{name}.raw", "wb").write(a.tobytes())
    b16 = beats[16]; b48 = beats[48]; b80 = beats[80]
    segs = [{"start": 0.0, "end": beats[0], "label": "start"}, {"start": beats[0], "end": b16, "label": "intro"},
            {"start": b16, "end": b48, "label": "verse"}, {"start": b48, "end": b80, "label": "chorus"},
            {"start": b80, "end": dur, "label": "outro"}]
    json.dump({"path": f"{T}/audio/{name}.wav", "bpm": bpm, "beats": beats, "downbeats": beats[::4],
               "beat_positions": [1 + i % 4 for i in range(len(beats))], "segments": segs},
              open(f"{T}/struct/{name}.json", "w"))
# A: 16 intro beats at 120 BPM, then the tempo rises 120 -> 128 over 64 beats.
t, A = 0.5, []
for k in range(90):
    A.append(t); t += 60 / (120 if k < 16 else min(128, 120 + 8 * (k - 16) / 64))
track("a_drift", A, True, 330, 124, t + 1)
B = [0.5 + k * 60 / 124 for k in range(90)]
track("b_tone", B, False, 220, 124, B[-1] + 1)
PY
for n in a_drift b_tone; do sox -t f32 -r 44100 -c 2 "$T/audio/$n.raw" -b 16 "$T/audio/$n.wav"; done
export CS_DB=$T/lib.db
"$CS_REL" index "$T/struct" >/dev/null 2>&1 || { fail setup "cs index"; exit 0; }
(cd "$T" && "$CS_REL" export --bpm-min 100 --bpm-max 140 --n-sections 2 --ladder 120,124 --stretch rate \
    --csv-out set.csv --parts-dir parts --no-progress) >"$T/export.log" 2>&1 \
    || { fail setup "cs export: $(tail -2 "$T/export.log")"; exit 0; }

# play DB LABEL: renders the set; prints the handover time and the distance
# from it to the nearest onset of the mix, in ms.
play() {
    CS_DB=$1 "$CS" play --csv "$T/set.csv" --render "$T/$2.wav" --duration 22 >"$T/$2.log" 2>&1
    local at
    at=$(sed -n 's/.*track 2\/2: b_tone on deck B .* at \([0-9.]*\) s,.*/\1/p' "$T/$2.log")
    [ -n "$at" ] || { echo "none"; return; }
    "$AC" onsets "$T/$2.wav" | awk -v t="$at" 'BEGIN { best = 1e9 }
        { d = ($1 - t) * 1000; if (d < 0) d = -d; if (d < best) best = d } END { printf "%s %.2f\n", t, best }'
}
read -r at d < <(play "$T/lib.db" lib)
echo "library grid: handover at $at s, nearest onset of the outgoing track $d ms away"
grep -q "beat grids of 2 of 2 tracks from the library" "$T/lib.log" && pass grids_from_library \
    || fail grids_from_library "$(grep -i grid "$T/lib.log")"
[ "$at" != none ] && near "$d" 0 1 && pass handover_on_a_real_beat \
    || fail handover_on_a_real_beat "handover at $at s is $d ms from the nearest beat: $(tail -3 "$T/lib.log")"
# Without the library the CSV's even grid misses the drifting beats: the
# fixture really tells the two apart.
read -r at2 d2 < <(play "$T/none.db" csv)
echo "CSV grid: handover at $at2 s, nearest onset $d2 ms away"
grep -q "no library at .*none.db" "$T/csv.log" && [ "$at2" != none ] && awk -v d="$d2" 'BEGIN { exit !(d > 20) }' \
    && pass fixture_discriminates || fail fixture_discriminates "CSV grid handover $d2 ms from a beat (want > 20)"
# The lookup only reads: the library is byte-identical after the run, and a
# library this cs cannot read (a newer schema) is named in a warning and
# left as it was, the CSV's grid used.
h0=$(md5sum <"$T/lib.db")
CS_DB=$T/lib.db "$CS" play --csv "$T/set.csv" --render "$T/ro.wav" --duration 1 >/dev/null 2>&1
[ "$(md5sum <"$T/lib.db")" = "$h0" ] && pass library_untouched || fail library_untouched "lib.db changed"
cp "$T/lib.db" "$T/new.db" && sqlite3 "$T/new.db" 'PRAGMA user_version = 99'
CS_DB=$T/new.db "$CS" play --csv "$T/set.csv" --render "$T/new.wav" --duration 1 >"$T/new.log" 2>&1; rc=$?
[ $rc = 0 ] && grep -q "new.db: library schema 99.*beat grids from the CSV" "$T/new.log" \
    && [ "$(sqlite3 "$T/new.db" 'PRAGMA user_version')" = 99 ] && pass newer_library_warned_not_used \
    || fail newer_library_warned_not_used "rc $rc: $(cat "$T/new.log")"
