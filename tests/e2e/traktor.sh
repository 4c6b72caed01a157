#!/usr/bin/env bash
# Traktor collections (issue 23): a collection.nml written here from the
# format's documentation (the shape of dj-data-converter's real file) over
# the demo's click tracks, the first one as WAV, FLAC, M4A and MP3 with and
# without a LAME header.  `cs index --traktor-nml --from-traktor`: BPM, key,
# grid (first beat within 1 ms of the click in cs's decoder timeline), cues
# as sections, playlists, hostile entries (a '..' path, a missing file);
# allin1 wins over Traktor and Traktor's BPM/key override the JSON's; then
# `cs export` cuts parts whose first beat lands within 5 ms.
. "$(dirname "$0")/lib.sh"
export CS_DB=$T/db

A=$T/audio
formats_fixture "$A" || exit 0

# The NML.  Traktor's positions match a gapless decoder: the WAV's for
# WAV, FLAC, M4A (edit list) and LAME MP3; an MP3 without a LAME header
# has no delay any decoder could skip, so its beats (and Traktor's grid)
# sit 1105 samples later (576 encoder + 529 decoder delay).
python3 - "$T" <<'PY' || { fail setup "writing the NML"; exit 0; }
import re, sys, html
T = sys.argv[1]
x = open(f"{T}/lib/rekordbox.xml", encoding="utf-8").read()
tracks = []
for m in re.finditer(r'<TRACK ([^>]*)>\s*<TEMPO Inizio="([0-9.]+)" Bpm="([0-9.]+)"', x):
    a = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
    tracks.append(dict(name=a["Name"], bpm=float(a["AverageBpm"]), total=float(a["TotalTime"]),
                       t0=float(m.group(2))))
t1, t2 = tracks[0], tracks[1]
def d(path): return "/:" + "/:".join(p for p in path.split("/") if p) + "/:"
def q(s): return html.escape(s, quote=True)
entries, want = [], []
lead = {"t_wav.wav": 0, "t_flac.flac": 0, "t_m4a.m4a": 0, "t_lame.mp3": 0, "t_nolame.mp3": 1105 / 44100}
bar = 240 / t1["bpm"]
for f, l in lead.items():
    t0 = t1["t0"] + l
    cues = "".join('<CUE_V2 NAME="n.n." DISPL_ORDER="0" TYPE="0" START="%.6f" LEN="0.000000" '
                   'REPEATS="-1" HOTCUE="-1"></CUE_V2>' % ((t0 + 2 * k * bar) * 1000) for k in range(9))
    cues += ('<CUE_V2 NAME="Drop" DISPL_ORDER="0" TYPE="0" START="%.6f" LEN="0.000000" REPEATS="-1" '
             'HOTCUE="1"></CUE_V2>' % ((t0 + bar) * 1000))
    cues += ('<CUE_V2 NAME="Loop" DISPL_ORDER="0" TYPE="5" START="%.6f" LEN="%.6f" REPEATS="-1" '
             'HOTCUE="2"></CUE_V2>' % ((t0 + 4 * bar) * 1000, 8 * 60000 / t1["bpm"]))
    entries.append(
        '<ENTRY MODIFIED_DATE="2026/12/6" TITLE="%s" ARTIST="Crowdstream Demo">'
        '<LOCATION DIR="%s" FILE="%s" VOLUME="" VOLUMEID=""></LOCATION>'
        '<ALBUM TRACK="1" TITLE="Demo"></ALBUM><MODIFICATION_INFO AUTHOR_TYPE="user"></MODIFICATION_INFO>'
        '<INFO BITRATE="192000" GENRE="House" KEY="11m" PLAYTIME="%d" PLAYTIME_FLOAT="%.6f"></INFO>'
        '<TEMPO BPM="%.6f" BPM_QUALITY="100.000000"></TEMPO><MUSICAL_KEY VALUE="19"></MUSICAL_KEY>'
        '<CUE_V2 NAME="AutoGrid" DISPL_ORDER="0" TYPE="4" START="%.6f" LEN="0.000000" REPEATS="-1" '
        'HOTCUE="0"><GRID BPM="%.6f"></GRID></CUE_V2>%s</ENTRY>'
        % (q(t1["name"] + " " + f), q(d(f"{T}/audio")), q(f), t1["total"], t1["total"], t1["bpm"],
           t0 * 1000, t1["bpm"], cues))
    want.append("%s %.6f %.6f" % (f, t0, t1["bpm"]))
# Track 2 on a Windows drive (found by name through --audio-dir), Open Key only.
f2 = t2["name"] + ".wav"
entries.append(
    '<ENTRY TITLE="%s" ARTIST="Crowdstream Demo"><LOCATION DIR="/:Music/:House/:" FILE="%s" VOLUME="D:">'
    '</LOCATION><INFO KEY="10m" PLAYTIME_FLOAT="%.6f"></INFO><TEMPO BPM="%.6f"></TEMPO>'
    '<CUE_V2 NAME="AutoGrid" TYPE="4" START="%.6f" LEN="0" HOTCUE="0"></CUE_V2></ENTRY>'
    % (q(t2["name"]), q(f2), t2["total"], t2["bpm"], t2["t0"] * 1000))
# Hostile: a path that climbs out, a file that does not exist.
entries.append('<ENTRY TITLE="Escape"><LOCATION DIR="/:Music/:../:../:etc/:" FILE="passwd" VOLUME="">'
               '</LOCATION><TEMPO BPM="120"></TEMPO><CUE_V2 TYPE="4" START="0" HOTCUE="0"></CUE_V2></ENTRY>')
entries.append('<ENTRY TITLE="Gone"><LOCATION DIR="%s" FILE="gone.wav" VOLUME=""></LOCATION>'
               '<TEMPO BPM="120"></TEMPO><CUE_V2 TYPE="4" START="0" HOTCUE="0"></CUE_V2></ENTRY>'
               % q(d(f"{T}/audio")))
key = lambda f: q(d(f"{T}/audio") + f)
pl = ('<NODE TYPE="FOLDER" NAME="$ROOT"><SUBNODES COUNT="1"><NODE TYPE="PLAYLIST" NAME="Warmup">'
      '<PLAYLIST ENTRIES="2" TYPE="LIST" UUID="1"><ENTRY><PRIMARYKEY TYPE="TRACK" KEY="D:/:Music/:House/:%s">'
      '</PRIMARYKEY></ENTRY><ENTRY><PRIMARYKEY TYPE="TRACK" KEY="%s"></PRIMARYKEY></ENTRY></PLAYLIST>'
      '</NODE></SUBNODES></NODE>' % (q(f2), key("t_flac.flac")))
open(f"{T}/collection.nml", "w", encoding="utf-8").write(
    '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n<NML VERSION="19">'
    '<HEAD COMPANY="www.native-instruments.com" PROGRAM="Traktor"></HEAD><MUSICFOLDERS></MUSICFOLDERS>\n'
    '<COLLECTION ENTRIES="%d">\n%s\n</COLLECTION><SETS ENTRIES="0"></SETS><PLAYLISTS>%s</PLAYLISTS></NML>\n'
    % (len(entries), "\n".join(entries), pl))
open(f"{T}/want.txt", "w").write("\n".join(want) + "\n")
open(f"{T}/t2.txt", "w").write("%s\t%.6f\n" % (f2, t2["bpm"]))
PY

# ---- index, Traktor only ----------------------------------------------------
"$CS" index --traktor-nml "$T/collection.nml" --from-traktor --audio-dir "$T/lib/audio" \
    >"$T/idx.out" 2>"$T/idx.err"
rc=$?
check index_exit_0 [ $rc -eq 0 ]
check index_counts grep -q "traktor 8 tracks, 1 playlists; traktor structs 6 (1 tracks without audio or grid)" "$T/idx.out"
sed 's/^/  /' "$T/idx.out" "$T/idx.err"
check escape_one_line [ "$(grep -c "Escape.*climbs out" "$T/idx.err")" -eq 1 ]
check sources [ "$(sqlite3 "$CS_DB" "SELECT source, COUNT(*) FROM tracks GROUP BY 1")" = "traktor|6" ]

# BPM +-0.01, key, grid (first beat and spacing) and cue sections per format.
python3 - "$T" >"$T/report.txt" 2>&1 <<'PY'
import sqlite3, struct, sys
T = sys.argv[1]
db = sqlite3.connect(f"{T}/db")
bad = 0
for line in open(f"{T}/want.txt"):
    f, t0, bpm = line.split(); t0, bpm = float(t0), float(bpm)
    row = db.execute("SELECT id, bpm, key, beats, downbeats FROM library WHERE analysed_path LIKE ?",
                     ("%/" + f,)).fetchone()
    if not row:
        print(f, "MISSING"); bad += 1; continue
    tid, lbpm, key, beats, downs = row
    beats = struct.unpack("<%dd" % (len(beats) // 8), beats)
    downs = struct.unpack("<%dd" % (len(downs) // 8), downs)
    spb = 60 / bpm
    worst = max(abs(b - (t0 + round((b - t0) / spb) * spb)) for b in beats)
    bar = 4 * spb
    cues = [s for (s,) in db.execute("SELECT start FROM segments WHERE track_id = ? AND label = 'cue' "
                                     "ORDER BY idx", (tid,))]
    want_cues = [t0 + 2 * k * bar for k in range(1, 9)]
    cue_err = max(abs(a - b) for a, b in zip(cues, want_cues)) if len(cues) == 8 else 99
    intro = db.execute("SELECT start FROM segments WHERE track_id = ? AND label = 'intro'", (tid,)).fetchone()
    ok = (abs(lbpm - bpm) <= 0.01 and key == "Gm" and abs(beats[0] - t0) <= 0.001 and worst <= 0.001
          and abs(downs[0] - t0) <= 0.001 and cue_err <= 0.001 and intro and abs(intro[0] - t0) <= 0.001)
    print("%-13s bpm %.4f key %s first beat %+.3f ms, worst beat %.3f ms, %d cues (worst %.3f ms)%s"
          % (f, lbpm, key, (beats[0] - t0) * 1e3, worst * 1e3, len(cues), cue_err * 1e3, "" if ok else "  BAD"))
    bad += not ok
sys.exit(1 if bad else 0)
PY
check bpm_key_grid_cues [ $? -eq 0 ]
sed 's/^/  /' "$T/report.txt"
IFS=$'\t' read -r F2 BPM2 <"$T/t2.txt"
check windows_drive_found_by_name [ "$(sqlite3 "$CS_DB" "SELECT printf('%.2f', bpm) || ' ' || key || ' ' ||
    (audio_path LIKE '%/lib/audio/$F2') FROM library WHERE analysed_path = 'D:/Music/House/$F2'")" = \
    "$(printf '%.2f' "$BPM2") 10m 1" ]
check playlist_stored [ "$(sqlite3 "$CS_DB" "SELECT p.path || ':' || GROUP_CONCAT(e.key, '|') FROM rb_playlists p
    JOIN rb_playlist_entries e ON e.playlist_id = p.id WHERE p.type = 1 GROUP BY p.id")" = \
    "ROOT/Warmup:D:/:Music/:House/:$F2|$(python3 -c 'import sys; print("/:" + "/:".join(p for p in sys.argv[1].split("/") if p) + "/:")' "$T/audio")t_flac.flac" ]

# Unchanged on a re-run; nothing else moves.
"$CS" index --traktor-nml "$T/collection.nml" --from-traktor --audio-dir "$T/lib/audio" >"$T/idx2.out" 2>&1
check reindex_unchanged grep -q "traktor unchanged (8 tracks, 1 playlists); traktor structs 6" "$T/idx2.out"

# ---- cs export: the first beat of every part on the beat ---------------------
parts_on_beat export_all_formats 2

# ---- allin1 wins; Traktor's BPM and key override the JSON's -------------------
"$CS" index "$T/lib/struct" --traktor-nml "$T/collection.nml" --from-traktor \
    --audio-dir "$T/lib/audio" >"$T/idx3.out" 2>&1
src=$(sqlite3 "$CS_DB" "SELECT source, COUNT(*) FROM tracks GROUP BY 1 ORDER BY 1")
check allin1_wins [ "$src" = $'allin1|2\ntraktor|5' ] || echo "  got: $src"
check traktor_overrides_json [ "$(sqlite3 "$CS_DB" "SELECT printf('%.2f', bpm) || ' ' || key FROM library
    WHERE source = 'allin1' AND struct_path LIKE '%/$(basename "$F2" .wav).json'")" = "$(printf '%.2f' "$BPM2") 10m" ]

# ---- bad input: one clear line, exit 1 when nothing else --------------------
printf '<NML><COLLECTION><ENTRY TITLE="a"' >"$T/cut.nml"
"$CS" --db "$T/bad.db" index --traktor-nml "$T/cut.nml" >/dev/null 2>"$T/bad.err"; rc=$?
check truncated_exit_1 [ $rc -eq 1 ]
check truncated_named grep -q "cut.nml:1: " "$T/bad.err"
"$CS" --db "$T/bad.db" index --traktor-nml "$T/lib/rekordbox.xml" >/dev/null 2>"$T/bad2.err"; rc=$?
check wrong_format_named [ $rc -eq 1 ] && grep -q "not a Traktor NML file: root element is DJ_PLAYLISTS" "$T/bad2.err"

# ---- the default place: the newest Traktor*/collection.nml under ~/Documents
NI="$T/home/Documents/Native Instruments"
mkdir -p "$NI/Traktor 3.10.0" "$NI/Traktor 3.11.1" "$NI/Traktor Pro 2"
printf '<NML VERSION="19"><COLLECTION ENTRIES="0"></COLLECTION></NML>\n' >"$NI/Traktor 3.10.0/collection.nml"
cp "$T/collection.nml" "$NI/Traktor Pro 2/collection.nml"
touch -d '2020-01-01' "$NI/Traktor 3.10.0/collection.nml"
HOME=$T/home "$CS" --db "$T/def.db" index --traktor-nml >"$T/def.out" 2>"$T/def.err"; rc=$?
check default_nml_exit_0 [ $rc -eq 0 ]
check default_nml_named grep -qF "reading the Traktor collection $NI/Traktor Pro 2/collection.nml (the newest" "$T/def.err"
check default_nml_read grep -q "traktor 8 tracks" "$T/def.out"
HOME=$T/nohome "$CS" --db "$T/def2.db" index --traktor-nml >/dev/null 2>"$T/def2.err"; rc=$?
check default_nml_missing [ $rc -eq 1 ] && grep -q "no Traktor collection: no .*/Traktor\*/collection.nml" "$T/def2.err"
"$CS" --db "$T/def3.db" index --traktor-nml a.nml b c >/dev/null 2>"$T/def3.err"; rc=$?
check default_nml_two_words_usage [ $rc -eq 2 ]

# ---- two libraries with the same audio: one library track per audio file ----
# Rekordbox's XML names Demo 02 by its real path, Traktor by a D: path found
# through --audio-dir: the first library's struct keeps it; a re-run keeps it so.
for run in 1 2; do
    "$CS" --db "$T/two.db" index --rekordbox-xml "$T/lib/rekordbox.xml" --from-rekordbox \
        --traktor-nml "$T/collection.nml" --from-traktor --audio-dir "$T/lib/audio" >"$T/two$run.out" 2>&1
    src=$(sqlite3 "$T/two.db" "SELECT source, COUNT(*) FROM tracks GROUP BY 1 ORDER BY 1")
    check "two_libraries_one_track_per_audio_$run" [ "$src" = $'rekordbox|2\ntraktor|5' ] || echo "  got: $src"
done
check two_libraries_audio_unique [ "$(sqlite3 "$T/two.db" "SELECT COUNT(*) - COUNT(DISTINCT audio_path) FROM tracks")" -eq 0 ]
