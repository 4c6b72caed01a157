#!/usr/bin/env bash
# Mixxx libraries (issue 23): a mixxxdb.sqlite written here with Mixxx's
# schema (res/schema.xml tables library, track_locations, cues, Playlists,
# PlaylistTracks, crates, crate_tracks, settings) and beats blobs encoded
# from beats.proto, over the demo's click tracks (the first as WAV, FLAC,
# M4A and MP3 with and without a LAME header; the second with a BeatMap).
# `cs index --mixxx-db --from-mixxx`: BPM, key_id, grid within 1 ms, cues
# in engine samples, playlists and crates, deleted tracks left out, a
# corrupt blob and a wrong-size grid one line each; the database read while
# Mixxx would hold it (WAL with an open write transaction; a rollback
# journal locked exclusively); not-a-database and truncated files; then
# `cs export` parts whose first beat lands within 5 ms.
. "$(dirname "$0")/lib.sh"
export CS_DB=$T/db

A=$T/audio
formats_fixture "$A" || exit 0

# mkdb OUT [wal]: the library.  Mixxx decodes with FFmpeg, so its positions
# are cs's: the WAV's, and 1105 frames later for the MP3 without a LAME
# header (no decoder can skip a delay it is not told).
cat >"$T/mkdb.py" <<'PY'
import re, sqlite3, struct, sys
T, out = sys.argv[1], sys.argv[2]
wal = len(sys.argv) > 3 and sys.argv[3] == "wal"
x = open(f"{T}/lib/rekordbox.xml", encoding="utf-8").read()
tracks = []
for m in re.finditer(r'<TRACK ([^>]*)>\s*<TEMPO Inizio="([0-9.]+)" Bpm="([0-9.]+)"', x):
    a = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
    tracks.append(dict(name=a["Name"], bpm=float(a["AverageBpm"]), total=float(a["TotalTime"]),
                       t0=float(m.group(2))))
def varint(v):
    v &= (1 << 64) - 1
    o = b""
    while True:
        c = v & 0x7f; v >>= 7
        o += bytes([c | (0x80 if v else 0)])
        if not v: return o
def ld(field, body): return varint(field << 3 | 2) + varint(len(body)) + body
def grid(bpm, frame): return ld(1, varint(1 << 3 | 1) + struct.pack("<d", bpm)) + ld(2, varint(1 << 3) + varint(frame))
def beatmap(frames): return b"".join(ld(1, varint(1 << 3) + varint(f)) for f in frames)
db = sqlite3.connect(out)
if wal: db.execute("PRAGMA journal_mode=WAL")
db.executescript("""
CREATE TABLE settings (name TEXT UNIQUE NOT NULL, value TEXT, locked INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0);
INSERT INTO settings VALUES ('mixxx.schema.version', '39', 0, 0);
CREATE TABLE track_locations (id INTEGER PRIMARY KEY AUTOINCREMENT, location varchar(512) UNIQUE,
  filename varchar(512), directory varchar(512), filesize INTEGER, fs_deleted INTEGER, needs_verification INTEGER);
CREATE TABLE library (id INTEGER primary key AUTOINCREMENT, artist varchar(64), title varchar(64),
  album varchar(64), year varchar(16), genre varchar(64), tracknumber varchar(3),
  location integer REFERENCES track_locations(location), comment varchar(256), url varchar(256),
  duration integer, bitrate integer, samplerate integer, cuepoint integer, bpm float,
  wavesummaryhex blob, channels integer DEFAULT 2, datetime_added DEFAULT CURRENT_TIMESTAMP,
  mixxx_deleted integer, played integer, header_parsed integer DEFAULT 0, filetype varchar(8) DEFAULT "?",
  replaygain float DEFAULT 0, timesplayed integer DEFAULT 0, rating integer DEFAULT 0, key varchar(8) DEFAULT "",
  beats BLOB, beats_version TEXT, composer varchar(64) DEFAULT "", bpm_lock INTEGER DEFAULT 0,
  beats_sub_version TEXT DEFAULT '', keys BLOB, keys_version TEXT, keys_sub_version TEXT, key_id INTEGER DEFAULT 0);
CREATE TABLE cues (id integer PRIMARY KEY AUTOINCREMENT, track_id integer NOT NULL REFERENCES library(id),
  type integer DEFAULT 0 NOT NULL, position integer DEFAULT -1 NOT NULL, length integer DEFAULT 0 NOT NULL,
  hotcue integer DEFAULT -1 NOT NULL, label text DEFAULT '' NOT NULL, color INTEGER DEFAULT 4294901760 NOT NULL);
CREATE TABLE Playlists (id INTEGER PRIMARY KEY, name varchar(48), position INTEGER,
  hidden INTEGER DEFAULT 0 NOT NULL, date_created datetime, date_modified datetime, locked INTEGER DEFAULT 0);
CREATE TABLE PlaylistTracks (id INTEGER PRIMARY KEY, playlist_id INTEGER REFERENCES Playlists(id),
  track_id INTEGER REFERENCES library(id), position INTEGER, pl_datetime_added);
CREATE TABLE crates (id integer PRIMARY KEY AUTOINCREMENT, name varchar(48) UNIQUE NOT NULL,
  count integer DEFAULT 0, show integer DEFAULT 1, locked integer DEFAULT 0, autodj_source integer DEFAULT 0);
CREATE TABLE crate_tracks (crate_id integer NOT NULL REFERENCES crates(id),
  track_id integer NOT NULL REFERENCES library(id), UNIQUE (crate_id, track_id));
""")
rate = 44100
def add(path, name, bpm, key_id, key, total, blob, version, deleted=0, fs_deleted=0):
    cur = db.execute("INSERT INTO track_locations(location, filename, directory, fs_deleted) VALUES (?,?,?,?)",
                     (path, path.rsplit("/", 1)[1], path.rsplit("/", 1)[0], fs_deleted))
    cur = db.execute("INSERT INTO library(artist, title, location, duration, samplerate, bpm, key, key_id, "
                     "beats, beats_version, mixxx_deleted) VALUES ('Crowdstream Demo',?,?,?,?,?,?,?,?,?,?)",
                     (name, cur.lastrowid, total, rate, bpm, key, key_id, blob, version, deleted))
    return cur.lastrowid
t1, t2 = tracks[0], tracks[1]
want, ids = [], {}
for f, lead in (("t_wav.wav", 0), ("t_flac.flac", 0), ("t_m4a.m4a", 0), ("t_lame.mp3", 0), ("t_nolame.mp3", 1105)):
    frame = round(t1["t0"] * rate) + lead
    # the key text is the user's notation of the day ("6A"); key_id wins
    tid = add(f"{T}/audio/{f}", t1["name"], t1["bpm"], 20, "6A", t1["total"], grid(t1["bpm"], frame), "BeatGrid-2.0")
    ids[f] = tid
    bar = 4 * 60 / t1["bpm"]
    t0 = frame / rate
    # hot cues 0..2 on bars 1, 2, 4 (engine samples = frames x 2), the main cue, a 8-beat loop
    for k, b in enumerate((1, 2, 4)):
        db.execute("INSERT INTO cues(track_id, type, position, hotcue, label) VALUES (?,1,?,?,?)",
                   (tid, round((t0 + b * bar) * rate) * 2, k, "Hot %d" % k))
    db.execute("INSERT INTO cues(track_id, type, position) VALUES (?,2,?)", (tid, round(t0 * rate) * 2))
    db.execute("INSERT INTO cues(track_id, type, position, length, hotcue) VALUES (?,4,?,?,3)",
               (tid, round((t0 + 8 * bar) * rate) * 2, round(2 * bar * rate) * 2))
    want.append("%s %d %.9f %.6f" % (f, tid, t0, t1["bpm"]))
# track 2: a BeatMap (Mixxx's analyser output for non-constant tempo), key_id 13 = Cm
spb = 60 / t2["bpm"]
frames = [round((t2["t0"] + i * spb) * rate) for i in range(int((t2["total"] - t2["t0"]) / spb))]
f2 = t2["name"] + ".wav"
id2 = add(f"/Music/elsewhere/{f2}", t2["name"], t2["bpm"], 13, "", t2["total"], beatmap(frames), "BeatMap-1.0")
# deleted ones, a corrupt blob, a grid of the wrong size, a missing file
add(f"{T}/audio/deleted.wav", "Deleted", 120, 1, "", 60, grid(120, 0), "BeatGrid-2.0", deleted=1)
add(f"{T}/audio/fsdeleted.wav", "FS deleted", 120, 1, "", 60, grid(120, 0), "BeatGrid-2.0", fs_deleted=1)
add(f"{T}/audio/t_wav.wav.corrupt", "Corrupt blob", 120, 1, "", 60, b"\x0a\xff\xff\xff\x0f\x09", "BeatGrid-2.0")
add(f"{T}/audio/t_wav.wav.short", "Short grid", 120, 1, "", 60, b"\x00" * 15, "BeatGrid-1.0")
add(f"{T}/audio/gone.wav", "Gone", 120, 1, "", 60, grid(120, 0), "BeatGrid-2.0")
db.execute("INSERT INTO Playlists(id, name, position, hidden) VALUES (1, 'Warmup', 1, 0), (2, 'Auto DJ', 0, 1), "
           "(3, 'History 2026', 2, 2)")
db.executemany("INSERT INTO PlaylistTracks(playlist_id, track_id, position) VALUES (1,?,?)",
               [(id2, 1), (ids["t_flac.flac"], 2)])
db.execute("INSERT INTO crates(id, name) VALUES (1, 'Peak')")
db.execute("INSERT INTO crate_tracks VALUES (1, ?)", (ids["t_wav.wav"],))
db.commit()
open(f"{T}/want.txt", "w").write("\n".join(want) + "\n")
open(f"{T}/t2.txt", "w").write("%s\t%.6f\t%d\n" % (f2, t2["bpm"], id2))
PY
python3 "$T/mkdb.py" "$T" "$T/mixxxdb.sqlite" || { fail setup "writing the Mixxx database"; exit 0; }
IFS=$'\t' read -r F2 BPM2 ID2 <"$T/t2.txt"

# ---- index ------------------------------------------------------------------
"$CS" index --mixxx-db "$T/mixxxdb.sqlite" --from-mixxx --audio-dir "$T/lib/audio" >"$T/idx.out" 2>"$T/idx.err"
rc=$?
check index_exit_0 [ $rc -eq 0 ]
check index_counts grep -q "mixxx 9 tracks, 2 playlists; mixxx structs 6 (1 tracks without audio or grid)" "$T/idx.out"
sed 's/^/  /' "$T/idx.out" "$T/idx.err"
check corrupt_blob_one_line [ "$(grep -c "Corrupt blob\|t_wav.wav.corrupt.*corrupt BeatGrid blob; no grid" "$T/idx.err")" -eq 1 ]
check short_grid_one_line [ "$(grep -c "t_wav.wav.short.*15 bytes, not 16; no grid" "$T/idx.err")" -eq 1 ]
check deleted_left_out [ "$(sqlite3 "$CS_DB" "SELECT COUNT(*) FROM rb_tracks WHERE name LIKE '%eleted'")" -eq 0 ]
check sources [ "$(sqlite3 "$CS_DB" "SELECT source, COUNT(*) FROM tracks GROUP BY 1")" = "mixxx|6" ]
check corrupt_keeps_bpm [ "$(sqlite3 "$CS_DB" "SELECT average_bpm FROM rb_tracks WHERE name = 'Corrupt blob'")" = 120.0 ]

python3 - "$T" >"$T/report.txt" 2>&1 <<'PY'
import sqlite3, struct, sys
T = sys.argv[1]
db = sqlite3.connect(f"{T}/db")
bad = 0
for line in open(f"{T}/want.txt"):
    f, mid, t0, bpm = line.split(); t0, bpm = float(t0), float(bpm)
    row = db.execute("SELECT id, bpm, key, beats, rb_id FROM library WHERE analysed_path LIKE ?",
                     ("%/" + f,)).fetchone()
    if not row:
        print(f, "MISSING"); bad += 1; continue
    tid, lbpm, key, beats, rb = row
    beats = struct.unpack("<%dd" % (len(beats) // 8), beats)
    spb, bar = 60 / bpm, 240 / bpm
    worst = max(abs(b - (t0 + round((b - t0) / spb) * spb)) for b in beats)
    marks = db.execute("SELECT type, start, end, num, name FROM rb_marks WHERE rb_id = ? ORDER BY start, num", (rb,)).fetchall()
    hot = [(m[1], m[3]) for m in marks if m[0] == 0 and m[3] >= 0]
    want_hot = [(t0 + b * bar, k) for k, b in enumerate((1, 2, 4))]
    hot_err = max(abs(a[0] - b[0]) for a, b in zip(hot, want_hot)) if len(hot) == 3 and [h[1] for h in hot] == [0, 1, 2] else 99
    loop = [m for m in marks if m[0] == 4]
    loop_ok = len(loop) == 1 and abs(loop[0][1] - (t0 + 8 * bar)) < 0.001 and abs(loop[0][2] - loop[0][1] - 2 * bar) < 0.001
    main = [m for m in marks if m[0] == 3]
    main_ok = len(main) == 1 and abs(main[0][1] - t0) < 0.001
    phrase = db.execute("SELECT start FROM segments WHERE track_id = ? AND label = 'phrase' ORDER BY idx", (tid,)).fetchone()
    ok = (abs(lbpm - bpm) <= 0.01 and key == "Gm" and abs(beats[0] - t0) <= 0.001 and worst <= 0.001
          and hot_err <= 0.001 and loop_ok and main_ok and phrase and abs(phrase[0] - (t0 + 16 * bar)) <= 0.001)
    print("%-13s bpm %.4f key %s first beat %+.3f ms, worst beat %.3f ms, hot cues worst %.3f ms, loop %s, main cue %s%s"
          % (f, lbpm, key, (beats[0] - t0) * 1e3, worst * 1e3, hot_err * 1e3, loop_ok, main_ok, "" if ok else "  BAD"))
    bad += not ok
sys.exit(1 if bad else 0)
PY
check bpm_key_grid_cues [ $? -eq 0 ]
sed 's/^/  /' "$T/report.txt"
# The BeatMap track (found by name): its grid rows put every beat within 1 ms.
check beatmap_track [ "$(sqlite3 "$CS_DB" "SELECT printf('%.2f', bpm) || ' ' || key FROM library
    WHERE analysed_path = '/Music/elsewhere/$F2'")" = "$(printf '%.2f' "$BPM2") Cm" ]
python3 - "$T" "$F2" <<'PY'
import sqlite3, struct, sys, re
T, f2 = sys.argv[1], sys.argv[2]
db = sqlite3.connect(f"{T}/db")
beats, = db.execute("SELECT beats FROM library WHERE analysed_path = ?", ("/Music/elsewhere/" + f2,)).fetchone()
beats = struct.unpack("<%dd" % (len(beats) // 8), beats)
x = open(f"{T}/lib/rekordbox.xml", encoding="utf-8").read()
m = [m for m in re.finditer(r'Name="([^"]*)"[^>]*AverageBpm="([0-9.]+)"[^>]*>\s*<TEMPO Inizio="([0-9.]+)"', x)][1]
bpm, t0 = float(m.group(2)), float(m.group(3))
worst = max(abs(b - (t0 + round((b - t0) * bpm / 60) * 60 / bpm)) for b in beats)
print("  beatmap: %d beats, worst %.3f ms, first %.4f s" % (len(beats), worst * 1e3, beats[0]))
sys.exit(0 if worst <= 0.001 and abs(beats[0] - t0) <= 0.001 else 1)
PY
check beatmap_grid_within_1ms [ $? -eq 0 ]
check playlists_stored [ "$(sqlite3 "$CS_DB" "SELECT group_concat(x, ' ') FROM (SELECT p.path || ':' || GROUP_CONCAT(e.key, ',') AS x
    FROM rb_playlists p JOIN rb_playlist_entries e ON e.playlist_id = p.id WHERE p.type = 1 GROUP BY p.id ORDER BY p.id)")" = \
    "ROOT/Warmup:$ID2,2 ROOT/Crates/Peak:1" ]

# ---- cs export -----------------------------------------------------------------
parts_on_beat export_all 1

# ---- while Mixxx holds it ----------------------------------------------------------
# WAL with a write transaction open: read without waiting or warning.
python3 "$T/mkdb.py" "$T" "$T/wal.sqlite" wal
python3 - "$T/wal.sqlite" "$T/wal.ready" <<'PY' &
import sqlite3, sys, time, os
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE library SET bpm = 1 WHERE id = 1")
open(sys.argv[2], "w").close()
time.sleep(6)
db.execute("ROLLBACK")
PY
holder=$!
for _ in $(seq 50); do [ -f "$T/wal.ready" ] && break; sleep 0.1; done
t0=$(date +%s%N)
"$CS" --db "$T/w.db" index --mixxx-db "$T/wal.sqlite" >"$T/w.out" 2>"$T/w.err"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check wal_read_while_writing [ $rc -eq 0 ] && grep -q "mixxx 9 tracks" "$T/w.out"
check wal_sees_committed_data [ "$(sqlite3 "$T/w.db" "SELECT average_bpm FROM rb_tracks ORDER BY id LIMIT 1")" != 1.0 ]
check wal_no_lock_warning [ "$(grep -c "locked" "$T/w.err")" -eq 0 ]
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
# A rollback journal locked exclusively: read as it is on disk, said once.
python3 "$T/mkdb.py" "$T" "$T/locked.sqlite"
python3 - "$T/locked.sqlite" "$T/locked.ready" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(8)
db.execute("ROLLBACK")
PY
holder=$!
for _ in $(seq 50); do [ -f "$T/locked.ready" ] && break; sleep 0.1; done
"$CS" --db "$T/l.db" index --mixxx-db "$T/locked.sqlite" >"$T/l.out" 2>"$T/l.err"; rc=$?
check locked_read [ $rc -eq 0 ] && grep -q "mixxx 9 tracks" "$T/l.out"
check locked_said_once [ "$(grep -c "locked or WAL" "$T/l.err")" -eq 1 ]
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# ---- bad files: one line, exit 1; the rest still indexed -------------------------
echo "not a database" >"$T/junk.sqlite"
"$CS" --db "$T/b.db" index --mixxx-db "$T/junk.sqlite" >/dev/null 2>"$T/b.err"; rc=$?
check not_a_database [ $rc -eq 1 ] && grep -q "junk.sqlite: file is not a database" "$T/b.err"
head -c 12288 "$T/mixxxdb.sqlite" >"$T/cut.sqlite"
"$CS" --db "$T/c.db" index --mixxx-db "$T/cut.sqlite" "$T/lib/struct" >/dev/null 2>"$T/c.err"; rc=$?
check truncated_named grep -q "cut.sqlite: " "$T/c.err"
sed "s/^/  /" "$T/c.err"
check truncated_rest_indexed [ $rc -eq 0 ] && [ "$(sqlite3 "$T/c.db" "SELECT COUNT(*) FROM tracks")" -eq 2 ]
sqlite3 "$T/nolib.sqlite" "CREATE TABLE x(a)"
"$CS" --db "$T/n.db" index --mixxx-db "$T/nolib.sqlite" >/dev/null 2>"$T/n.err"; rc=$?
check not_mixxx [ $rc -eq 1 ] && grep -q "not a Mixxx library: no library table" "$T/n.err"

# ---- the default place: ~/.mixxx/mixxxdb.sqlite, named -----------------------
mkdir -p "$T/home/.mixxx"
cp "$T/mixxxdb.sqlite" "$T/home/.mixxx/"
HOME=$T/home "$CS" --db "$T/def.db" index --mixxx-db >"$T/def.out" 2>"$T/def.err"; rc=$?
check default_db_read [ $rc -eq 0 ] && grep -q "mixxx 9 tracks" "$T/def.out"
check default_db_named grep -qF "reading the Mixxx library $T/home/.mixxx/mixxxdb.sqlite" "$T/def.err"
HOME=$T/nohome LOCALAPPDATA= "$CS" --db "$T/def2.db" index --mixxx-db >/dev/null 2>"$T/def2.err"; rc=$?
check default_db_missing [ $rc -eq 1 ] && grep -q "no Mixxx library: no .*/nohome/.mixxx/mixxxdb.sqlite" "$T/def2.err"
