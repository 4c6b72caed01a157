#!/usr/bin/env bash
# Tracks without allin1 (issue 14): `cs analyze` on the demo's synthesised
# tracks (BPM, beats against the known grid, incremental, atomic, allin1
# JSONs kept, a bad file reported), `cs index --from-rekordbox` (grid and
# memory cues; a struct file wins), `cs search` showing the source, and
# real music from Debian's tecnoballz-data (ProTracker modules whose tempo
# the file states exactly) against `aubio tempo`, then the whole pipeline
# analyze -> index -> export --ladder -> play with every rung switch and
# track change on an onset `aubio onset` hears.
# run.sh: long (tens of seconds of CPU: started first, see tests/run.sh)
. "$(dirname "$0")/lib.sh"
export CS_DB=$T/db

"$CS_REL" demo "$T/lib" --tracks 4 --bars 2 >/dev/null || { fail setup "cs demo"; exit 0; }

# ---- cs analyze on synthesised tracks ------------------------------------
"$CS" analyze "$T/lib/audio" --out "$T/an" -j 2 >"$T/an.log" 2>&1
check analyze_runs grep -q "4 found, 4 analysed" "$T/an.log"
python3 - "$T" >"$T/an_report.txt" 2>&1 <<'PY'
import json, re, sys, glob, os, urllib.parse
T = sys.argv[1]
xml = open(f"{T}/lib/rekordbox.xml", encoding="utf-8").read()
bpm = {}
for tr in re.findall(r"<TRACK [^>]*>", xml):
    loc, avg = re.search(r'Location="([^"]+)"', tr), re.search(r'AverageBpm="([0-9.]+)"', tr)
    if loc and avg:
        bpm[urllib.parse.unquote(os.path.basename(loc.group(1))).rsplit(".", 1)[0]] = float(avg.group(1))
bad = []
for f in sorted(glob.glob(f"{T}/an/*.json")):
    d = json.load(open(f)); name = os.path.basename(f)[:-5]
    want = json.load(open(f"{T}/lib/struct/{name}.json"))
    err_bpm = abs(d["bpm"] - bpm[name]) if name in bpm else 99
    worst = max(min(abs(b - w) for b in d["beats"]) for w in want["beats"])
    extra = sum(1 for b in d["beats"] if min(abs(b - w) for w in want["beats"]) > 0.010)
    ok = (d["source"].startswith("cs analyze ") and err_bpm <= 0.1 and worst <= 0.010 and extra == 0
          and all(k in d for k in ("path", "bpm", "beats", "downbeats", "beat_positions", "segments", "key"))
          and d["segments"][1]["label"] == "intro")
    print("%s: bpm %.2f (err %.3f), beats worst %.2f ms, %d extra, key %s%s"
          % (name, d["bpm"], err_bpm, worst * 1e3, extra, d.get("key"), "" if ok else "  BAD"))
    if not ok: bad.append(name)
sys.exit(1 if bad else 0)
PY
check analyze_bpm_beats_source [ $? -eq 0 ]
sed 's/^/  /' "$T/an_report.txt"

"$CS" analyze "$T/lib/audio" --out "$T/an" >"$T/an2.log" 2>&1
check analyze_incremental grep -q "0 analysed .* 4 up to date" "$T/an2.log"
touch "$T/lib/audio/Demo 02"*.wav
"$CS" analyze "$T/lib/audio" --out "$T/an" >"$T/an3.log" 2>&1
check analyze_redoes_changed grep -q "1 analysed .* 3 up to date" "$T/an3.log"
# An allin1 JSON (no "source") where cs analyze would write: kept.
cp "$T/lib/struct/Demo 01"*.json "$T/an/"
sum1=$(md5sum "$T/an/Demo 01"*.json)
"$CS" analyze --force "$T/lib/audio" --out "$T/an" >"$T/an4.log" 2>&1
check analyze_keeps_allin1 [ "$(md5sum "$T/an/Demo 01"*.json)" = "$sum1" ]
check analyze_says_kept grep -q "1 allin1 kept" "$T/an4.log"
# A file that is not audio: one error line naming it, exit 1, the rest done.
mkdir -p "$T/mixed"
cp "$T/lib/audio/Demo 03"*.wav "$T/mixed/good.wav"
echo "not audio" >"$T/mixed/broken.mp3"
"$CS" analyze "$T/mixed" --out "$T/an_mixed" >"$T/an5.log" 2>"$T/an5.err"
rc=$?
check analyze_bad_file_exit_1 [ $rc -eq 1 ]
check analyze_bad_file_named grep -q "^cs: error: .*broken.mp3: " "$T/an5.err"
check analyze_bad_file_one_line [ "$(grep -c broken.mp3 "$T/an5.err")" -eq 1 ]
check analyze_rest_written [ -s "$T/an_mixed/good.json" ]
check analyze_no_temporaries [ -z "$(find "$T/an" "$T/an_mixed" -name '.*tmp*')" ]
"$CS" analyze "$T/nowhere" --out "$T/x" 2>"$T/an6.err"
check analyze_missing_input [ $? -eq 1 ] && grep -q "nowhere" "$T/an6.err"

# ---- the source in the library and in cs search --------------------------
rm "$T/an/Demo 01"*.json
"$CS" analyze "$T/lib/audio" --out "$T/an" >/dev/null 2>&1
"$CS" index "$T/an" >/dev/null 2>&1
csv=$("$CS" search --bpm-min 1 --n-sections 1 --format csv)
check search_shows_source [ "$(grep -c ',cs analyze ' <<<"$csv")" -eq 4 ]
check search_table_source grep -q "cs analyze" <<<"$("$CS" search --bpm-min 1 --n-sections 1 --format table)"

# ---- structs from Rekordbox ----------------------------------------------
export CS_DB=$T/db_rb
# Track 1 gets 8 memory cues on bars 2, 4, ... (the first on the first
# downbeat: not a section start), a hot cue and a cue before the grid.
python3 - "$T" <<'PY'
import re, sys
T = sys.argv[1]
x = open(f"{T}/lib/rekordbox.xml", encoding="utf-8").read()
m = re.search(r'<TEMPO Inizio="([0-9.]+)" Bpm="([0-9.]+)"[^>]*/>', x)
t0, bpm = float(m.group(1)), float(m.group(2)); bar = 240 / bpm
marks = "".join('<POSITION_MARK Name="" Type="0" Start="%.3f" Num="-1"/>' % (t0 + 2 * k * bar) for k in range(9))
marks += '<POSITION_MARK Name="hot" Type="0" Start="%.3f" Num="0"/>' % (t0 + bar)
marks += '<POSITION_MARK Name="" Type="0" Start="0.010" Num="-1"/>'
x = x[:m.end()] + marks + x[m.end():]
open(f"{T}/rb_cues.xml", "w", encoding="utf-8").write(x)
print(t0, bar, file=open(f"{T}/rb_first.txt", "w"))
PY
"$CS" index --rekordbox-xml "$T/rb_cues.xml" --from-rekordbox >"$T/rb.log" 2>&1
check rb_structs_made grep -q "rekordbox structs 4 " "$T/rb.log"
rb_sources() {   # how many search CSV rows have source "rekordbox" (by column name)
    "$CS" search --bpm-min 1 --n-sections 1 --format csv |
        python3 -c 'import csv, sys; print(sum(r["source"] == "rekordbox" for r in csv.DictReader(sys.stdin)))'
}
check rb_source_shown [ "$(rb_sources)" -eq 4 ]
read -r T0 BAR <"$T/rb_first.txt"
segs=$(sqlite3 "$CS_DB" "SELECT group_concat(label || '@' || printf('%.3f', start), ' ') FROM
       (SELECT s.label, s.start FROM segments s JOIN tracks t ON t.id = s.track_id
        WHERE t.source = 'rekordbox' AND t.beats IS NOT NULL ORDER BY t.struct_path, s.idx)
       GROUP BY 1=1" 2>/dev/null)
want=$(awk -v t0="$T0" -v bar="$BAR" 'BEGIN { printf "start@0.000 intro@%.3f", t0;
       for (k = 1; k <= 8; k++) printf " cue@%.3f", t0 + 2 * k * bar }')
check rb_cue_sections grep -qF "$want" <<<"$segs" || echo "  got: ${segs:0:300}"
# The three without cues: an intro of 16 bars from the first downbeat (or to
# the end of these short tracks), no cue sections.
check rb_phrases_without_cues [ "$(sqlite3 "$CS_DB" "SELECT COUNT(*) FROM segments s JOIN tracks t
       ON t.id = s.track_id WHERE t.source = 'rekordbox' AND s.label = 'intro' AND t.id NOT IN
       (SELECT track_id FROM segments WHERE label = 'cue')")" -eq 3 ]
# The demo's allin1 structs for the same audio: they win, the rekordbox
# structs for those tracks go.
"$CS" index "$T/lib/struct" --rekordbox-xml "$T/rb_cues.xml" --from-rekordbox >"$T/rb2.log" 2>&1
src=$(sqlite3 "$CS_DB" "SELECT source, COUNT(*) FROM tracks GROUP BY source")
check rb_allin1_wins [ "$src" = "allin1|4" ] || echo "  got: $src"

# ---- real music: tecnoballz-data ProTracker modules ------------------------
MODS=/usr/share/games/tecnoballz/musics
if [ ! -d "$MODS" ]; then
    skip real_music "tecnoballz-data not installed (scripts/install-deps.sh installs it)"
    exit 0
fi
if ! command -v aubio >/dev/null; then
    skip real_music "aubio-tools not installed (scripts/install-deps.sh installs it)"
    exit 0
fi
# The four modules that keep one speed and tempo from start to end.
REAL="over-theme high-score gardien-go tecno-winn"
mkdir -p "$T/mods"
for m in $REAL; do cp "$MODS/$m.mod" "$T/mods/"; done
"$CS_REL" analyze "$T/mods" --out "$T/mst" -j 2 >"$T/mods.log" 2>&1
for m in $REAL; do aubio tempo "$T/mods/$m.mod" 2>/dev/null | awk '{print $1}' >"$T/aubio_$m.txt"; done
python3 - "$T" $REAL >"$T/mods_report.txt" <<'PY'
import json, sys
T, mods = sys.argv[1], sys.argv[2:]
def known(path):
    # ProTracker: 31 sample headers, order table at 952, patterns of 64
    # rows x 4 channels x 4 bytes from 1084; effect F (speed < 32 ticks per
    # row, else tempo) sets the pace: a row lasts speed * 2.5 / tempo s.
    b = open(path, "rb").read()
    speed, tempo, seen = 6, 125, set()
    for o in b[952:952 + b[950]]:
        for r in range(64 * 4):
            c = b[1084 + o * 1024 + r * 4:1084 + o * 1024 + r * 4 + 4]
            if len(c) == 4 and c[2] & 15 == 15 and c[3]:
                seen.add(c[3])
                if c[3] < 32: speed = c[3]
                else: tempo = c[3]
    assert len(seen) <= 1, "%s changes pace" % path
    return 60 / (4 * speed * 2.5 / tempo)      # 4 rows to the beat
def octave_err(x, ref):                          # a file does not say rows per beat
    return min(abs(x - ref * f) for f in (0.5, 1, 2))
bad = 0
for m in mods:
    k = known(f"{T}/mods/{m}.mod")
    ours = json.load(open(f"{T}/mst/{m}.json"))["bpm"]
    aub = float(open(f"{T}/aubio_{m}.txt").read().split()[0])
    e, ea = octave_err(ours, k), octave_err(aub, k)
    agree = min(abs(aub / ours - f) for f in (0.5, 1, 2)) <= 0.08
    ok = e <= 0.5 and agree
    bad += not ok
    print("%-12s known %.2f  cs analyze %.2f (err %.2f)  aubio tempo %.2f (err %.2f)%s"
          % (m, k, ours, e, aub, ea, "" if ok else "  BAD"))
sys.exit(bad)
PY
check real_music_bpm [ $? -eq 0 ]
sed 's/^/  /' "$T/mods_report.txt"

# ---- the pipeline on real music ------------------------------------------
export CS_DB=$T/db_pipe
"$CS_REL" index "$T/mst" >/dev/null 2>&1
(cd "$T" && "$CS_REL" export --bpm 125 --delta 1 --n-sections 2 --ladder 117:133:4 --stretch rubberband \
    --quality fast --csv-out set.csv --parts-dir parts -j 2 --no-progress) >"$T/export.log" 2>&1
check pipeline_export grep -q "2 tracks selected" "$T/export.log"
cat >"$T/crowd.osc" <<'OSC'
0 /dance/total_movement f 0.65
8 /dance/total_movement f 0.02
14 /cs/next
20 /dance/total_movement f 0.3
26 /cs/next
OSC
echo '{"movement_bpm":{"smoothing":{"transition_time_seconds":6}}}' >"$T/fast.json"
"$CS" play --csv "$T/set.csv" --loop-set --render "$T/mix.wav" --duration 36 --osc-script "$T/crowd.osc" \
    --bpm-config "$T/fast.json" >"$T/play.log" 2>&1
check pipeline_renders [ -s "$T/mix.wav" ]
aubio onset -H 64 -B 512 "$T/mix.wav" >"$T/on_mix.txt" 2>/dev/null
for f in "$T"/parts/orig/*.wav; do aubio onset -H 64 -B 512 "$f" >"$f.on" 2>/dev/null; done
# Each event: on an onset aubio hears in the mix (within 5 ms), or, where
# it hears none within 60 ms there (a crossfade masks it), on an onset it
# hears in that track's own part at the beat the player logged.
python3 - "$T" >"$T/pipe_report.txt" <<'PY'
import re, sys
T = sys.argv[1]
on = [float(x) for x in open(f"{T}/on_mix.txt") if x.strip()]
log = open(f"{T}/play.log").read()
bad = n = 0
for m in re.finditer(r"(rung [0-9.]+ -> [0-9.]+ BPM|on deck [AB] \(rung [0-9.]+\)) at ([0-9.]+) s[^\n]*?"
                     r"beat (?:at )?([0-9.]+) s of ([^,);\n]+)", log):
    n += 1
    x, beat, track = float(m.group(2)), float(m.group(3)), m.group(4).strip()
    d = min(on, key=lambda t: abs(t - x)) - x
    how = "mix"
    if abs(d) > 0.060:
        part = [float(v) for v in open(f"{T}/parts/orig/{track}_sectioned.wav.on") if v.strip()]
        d, how = min(part, key=lambda t: abs(t - beat)) - beat, "part"
    ok = abs(d) <= 0.005
    bad += not ok
    print("%-40s nearest onset (%s) %+.2f ms%s" % (m.group(0)[:40], how, d * 1e3, "" if ok else "  BAD"))
print("events %d" % n)
sys.exit(1 if bad or n < 4 else 0)
PY
check pipeline_events_on_onsets [ $? -eq 0 ]
sed 's/^/  /' "$T/pipe_report.txt"
