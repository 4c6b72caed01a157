#!/usr/bin/env bash
# Engine DJ libraries (issue 23): an "Engine Library/Database2/m.db" written
# here with Engine DJ's schema 3 (Information, Track, PerformanceData,
# Playlist, PlaylistEntity; libdjinterop's reference dumps) and blobs laid
# out as libdjinterop encodes them (uint32 BE size + zlib; big-endian
# numbers, little-endian grid markers, the first marker at beat -4 before
# the track starts), over the demo's click tracks in five formats.
# `cs index --engine-db --from-engine`: bpmAnalyzed, key numbering, the
# adjusted grid within 1 ms, hot cues, playlists in their linked-list order,
# relative paths; a zlib bomb, a count larger than the data, a path that
# climbs above the root, a missing file, an Engine Prime 1.x library, not a
# library; `cs export` parts whose first beat lands within 5 ms.
. "$(dirname "$0")/lib.sh"
export CS_DB=$T/db

A=$T/drive/Music
formats_fixture "$A" || exit 0
mkdir -p "$T/drive/Engine Library/Database2"

MDB="$T/drive/Engine Library/Database2/m.db"
python3 - "$T" "$MDB" <<'PY' || { fail setup "writing m.db"; exit 0; }
import re, sqlite3, struct, sys, zlib
T, out = sys.argv[1], sys.argv[2]
x = open(f"{T}/lib/rekordbox.xml", encoding="utf-8").read()
tracks = []
for m in re.finditer(r'<TRACK ([^>]*)>\s*<TEMPO Inizio="([0-9.]+)" Bpm="([0-9.]+)"', x):
    a = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
    tracks.append(dict(name=a["Name"], bpm=float(a["AverageBpm"]), total=float(a["TotalTime"]), t0=float(m.group(2))))
rate = 44100.0
def z(payload): return struct.pack(">I", len(payload)) + zlib.compress(payload)
def grid(markers): return struct.pack(">q", len(markers)) + b"".join(struct.pack("<dqii", o, b, n, 0) for o, b, n in markers)
def beatdata(t0, bpm, total, skew=0.0):
    spb = 60 * rate / bpm
    n = int((total - t0) * rate / spb) + 1
    adj = [(t0 * rate - 4 * spb, -4, n + 4), (t0 * rate + n * spb, n, 0)]
    dflt = [(o + skew * rate, b, k) for o, b, k in adj]
    return z(struct.pack(">ddB", rate, total * rate, 1) + grid(dflt) + grid(adj) + b"\0" * 9)
def quickcues(cues, main):
    p = struct.pack(">q", 8)
    for i in range(8):
        if i < len(cues):
            lab = cues[i][0].encode(); p += bytes([len(lab)]) + lab + struct.pack(">d", cues[i][1] * rate) + b"\xff\xff\x00\x00"
        else:
            p += b"\x00" + struct.pack(">d", -1.0) + b"\xff\x00\x00\x00"
    return z(p + struct.pack(">dBd", main * rate, 1, main * rate))
db = sqlite3.connect(out)
db.executescript("""
CREATE TABLE Information (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT, schemaVersionMajor INTEGER,
  schemaVersionMinor INTEGER, schemaVersionPatch INTEGER, currentPlayedIndiciator INTEGER, lastRekordBoxLibraryImportReadCounter INTEGER);
INSERT INTO Information VALUES (1, 'e1d5a0a4', 3, 0, 0, 0, 0);
CREATE TABLE Track (id INTEGER PRIMARY KEY AUTOINCREMENT, playOrder INTEGER, length INTEGER, bpm INTEGER, year INTEGER,
  path TEXT, filename TEXT, bitrate INTEGER, bpmAnalyzed REAL, albumArtId INTEGER, fileBytes INTEGER, title TEXT,
  artist TEXT, album TEXT, genre TEXT, comment TEXT, label TEXT, composer TEXT, remixer TEXT, key INTEGER, rating INTEGER,
  albumArt TEXT, timeLastPlayed DATETIME, isPlayed BOOLEAN, fileType TEXT, isAnalyzed BOOLEAN, dateCreated DATETIME,
  dateAdded DATETIME, isAvailable BOOLEAN, isMetadataOfPackedTrackChanged BOOLEAN, isPerfomanceDataOfPackedTrackChanged BOOLEAN,
  playedIndicator INTEGER, isMetadataImported BOOLEAN, pdbImportKey INTEGER, streamingSource TEXT, uri TEXT,
  isBeatGridLocked BOOLEAN, originDatabaseUuid TEXT, originTrackId INTEGER, streamingFlags INTEGER, explicitLyrics BOOLEAN, lastEditTime DATETIME);
CREATE TABLE PerformanceData (trackId INTEGER PRIMARY KEY, trackData BLOB, overviewWaveFormData BLOB, beatData BLOB,
  quickCues BLOB, loops BLOB, thirdPartySourceId INTEGER, activeOnLoadLoops INTEGER);
CREATE TABLE Playlist (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, parentListId INTEGER, isPersisted BOOLEAN,
  nextListId INTEGER, lastEditTime DATETIME, isExplicitlyExported BOOLEAN);
CREATE TABLE PlaylistEntity (id INTEGER PRIMARY KEY AUTOINCREMENT, listId INTEGER, trackId INTEGER, databaseUuid TEXT,
  nextEntityId INTEGER, membershipReference INTEGER);
""")
def add(rel, title, bpm, key, total, bd, qc):
    cur = db.execute("INSERT INTO Track(length, bpm, path, filename, bpmAnalyzed, title, artist, key) VALUES (?,?,?,?,?,?,?,?)",
                     (int(total), int(bpm), rel, rel.rsplit("/", 1)[-1], bpm, title, "Crowdstream Demo", key))
    db.execute("INSERT INTO PerformanceData(trackId, beatData, quickCues) VALUES (?,?,?)", (cur.lastrowid, bd, qc))
    return cur.lastrowid
t1, t2 = tracks
want, ids = [], {}
bar = 240 / t1["bpm"]
for f, lead in (("t_wav.wav", 0), ("t_flac.flac", 0), ("t_m4a.m4a", 0), ("t_lame.mp3", 0), ("t_nolame.mp3", 1105)):
    t0 = t1["t0"] + lead / rate
    cues = [("Drop", t0 + 4 * bar), ("", t0 + 8 * bar), ("Break", t0 + 16 * bar)]
    # the default grid 30 ms off: the adjusted one must be read; key 21 = Gm
    ids[f] = add("../Music/" + f, t1["name"], t1["bpm"], 21, t1["total"],
                 beatdata(t0, t1["bpm"], t1["total"], skew=0.030), quickcues(cues, t0))
    want.append("%s %d %.9f %.6f" % (f, ids[f], t0, t1["bpm"]))
f2 = t2["name"] + ".wav"
id2 = add("../Music/elsewhere/" + f2, t2["name"], t2["bpm"], 19, t2["total"],
          beatdata(t2["t0"], t2["bpm"], t2["total"]), quickcues([], t2["t0"]))
bomb = struct.pack(">I", 1000) + zlib.compress(b"\0" * (64 << 20), 9)     # 64 MB of zeros, declared 1000
add("../Music/t_wav.wav", "Bomb", 120, 0, 60, bomb, None)
huge = struct.pack(">I", 0xffffffff) + zlib.compress(b"\0" * 100)
add("../Music/t_wav.wav", "Huge", 120, 0, 60, huge, None)
lying = z(struct.pack(">q", 1 << 40) + b"\0" * 20)                        # count larger than the data
add("../Music/t_flac.flac", "Lying cues", 120, 0, 60, beatdata(0.1, 120, 60), lying)
add("../" * 40 + "etc/passwd", "Escape", 120, 0, 60, beatdata(0.1, 120, 60), None)
add("../Music/gone.wav", "Gone", 120, 0, 60, beatdata(0.1, 120, 60), None)
# Playlist "Set" (entities linked 2 -> 1: order id2, then flac), in folder "Gigs"
db.execute("INSERT INTO Playlist VALUES (1, 'Gigs', 0, 1, 0, NULL, 1), (2, 'Set', 1, 1, 0, NULL, 1)")
db.execute("INSERT INTO PlaylistEntity VALUES (1, 2, ?, 'u', 0, 0), (2, 2, ?, 'u', 1, 0)", (ids["t_flac.flac"], id2))
db.commit()
open(f"{T}/want.txt", "w").write("\n".join(want) + "\n")
open(f"{T}/t2.txt", "w").write("%s\t%.6f\t%d\t%d\n" % (f2, t2["bpm"], id2, ids["t_flac.flac"]))
PY
IFS=$'\t' read -r F2 BPM2 ID2 IDF <"$T/t2.txt"

"$CS" index --engine-db "$MDB" --from-engine --audio-dir "$T/lib/audio" >"$T/idx.out" 2>"$T/idx.err"
rc=$?
check index_exit_0 [ $rc -eq 0 ]
check index_counts grep -q "engine 11 tracks, 2 playlists; engine structs 6 (1 tracks without audio or grid)" "$T/idx.out"
sed 's/^/  /' "$T/idx.out" "$T/idx.err"
check bomb_one_line [ "$(grep -c "(Bomb\|t_wav.wav).*beatData: corrupt zlib stream in blob (more data than declared)" "$T/idx.err")" -eq 1 ]
check huge_one_line [ "$(grep -c "beatData: blob declares 4294967295 bytes" "$T/idx.err")" -eq 1 ]
check lying_count_one_line [ "$(grep -c "quickCues: quickCues count 1099511627776 larger than" "$T/idx.err")" -eq 1 ]
check escape_one_line [ "$(grep -c "etc/passwd): path: climbs above the root" "$T/idx.err")" -eq 1 ]
check sources [ "$(sqlite3 "$CS_DB" "SELECT source, COUNT(*) FROM tracks GROUP BY 1")" = "engine|6" ]

python3 - "$T" >"$T/report.txt" 2>&1 <<'PY'
import sqlite3, struct, sys
T = sys.argv[1]
db = sqlite3.connect(f"{T}/db")
bad = 0
for line in open(f"{T}/want.txt"):
    f, eid, t0, bpm = line.split(); t0, bpm = float(t0), float(bpm)
    row = db.execute("SELECT id, bpm, key, beats, downbeats, rb_id, analysed_path FROM library WHERE analysed_path LIKE ?",
                     ("%/drive/Music/" + f,)).fetchone()
    if not row:
        print(f, "MISSING"); bad += 1; continue
    tid, lbpm, key, beats, downs, rb, path = row
    beats = struct.unpack("<%dd" % (len(beats) // 8), beats)
    downs = struct.unpack("<%dd" % (len(downs) // 8), downs)
    spb, bar = 60 / bpm, 240 / bpm
    worst = max(abs(b - (t0 + round((b - t0) / spb) * spb)) for b in beats)
    hot = db.execute("SELECT start, num, name FROM rb_marks WHERE rb_id = ? ORDER BY num", (rb,)).fetchall()
    want_hot = [(t0 + 4 * bar, 0, "Drop"), (t0 + 8 * bar, 1, None), (t0 + 16 * bar, 2, "Break")]
    hot_ok = len(hot) == 3 and all(abs(a[0] - b[0]) < 0.001 and a[1] == b[1] and a[2] == b[2] for a, b in zip(hot, want_hot))
    ok = (abs(lbpm - bpm) <= 0.01 and key == "Gm" and abs(beats[0] - t0) <= 0.001 and worst <= 0.001
          and abs(downs[0] - t0) <= 0.001 and hot_ok and "/../" not in path)
    print("%-13s bpm %.4f key %s first beat %+.3f ms, worst beat %.3f ms, hot cues %s%s"
          % (f, lbpm, key, (beats[0] - t0) * 1e3, worst * 1e3, hot_ok, "" if ok else "  BAD"))
    bad += not ok
sys.exit(1 if bad else 0)
PY
check bpm_key_grid_cues [ $? -eq 0 ]
sed 's/^/  /' "$T/report.txt"
check second_track_key_and_name_match [ "$(sqlite3 "$CS_DB" "SELECT printf('%.2f', bpm) || ' ' || key || ' ' ||
    (audio_path LIKE '%/lib/audio/$F2') FROM library WHERE analysed_path LIKE '%/drive/Music/elsewhere/$F2'")" = \
    "$(printf '%.2f' "$BPM2") Cm 1" ]
check playlist_linked_order [ "$(sqlite3 "$CS_DB" "SELECT p.path || ':' || GROUP_CONCAT(e.key, ',') FROM rb_playlists p
    JOIN rb_playlist_entries e ON e.playlist_id = p.id WHERE p.path = 'ROOT/Gigs/Set' GROUP BY p.id")" = "ROOT/Gigs/Set:$ID2,$IDF" ]

parts_on_beat export_all 1

# ---- bad libraries -------------------------------------------------------------
sqlite3 "$T/old.db" "CREATE TABLE Information (id INTEGER PRIMARY KEY, uuid TEXT, schemaVersionMajor INTEGER,
    schemaVersionMinor INTEGER, schemaVersionPatch INTEGER); INSERT INTO Information VALUES (1, 'x', 1, 18, 0);"
"$CS" --db "$T/o.db" index --engine-db "$T/old.db" >/dev/null 2>"$T/o.err"; rc=$?
check prime_1x_refused [ $rc -eq 1 ] && grep -q "old.db: Engine library schema 1.18: only Engine DJ 2 and later" "$T/o.err"
sqlite3 "$T/notengine.db" "CREATE TABLE x(a)"
"$CS" --db "$T/n.db" index --engine-db "$T/notengine.db" >/dev/null 2>"$T/n.err"; rc=$?
check not_engine [ $rc -eq 1 ] && grep -q "not an Engine DJ library" "$T/n.err"
head -c 9000 "$MDB" >"$T/cut.db"
"$CS" --db "$T/c.db" index "$T/lib/struct" --engine-db "$T/cut.db" >/dev/null 2>"$T/c.err"; rc=$?
check truncated_named grep -q "cut.db: " "$T/c.err"
check truncated_rest_indexed [ $rc -eq 0 ] && [ "$(sqlite3 "$T/c.db" "SELECT COUNT(*) FROM tracks")" -eq 2 ]

# ---- the default place: ~/Music/Engine Library/Database2/m.db, named ---------
mkdir -p "$T/home/Music"
cp -r "$T/drive/Engine Library" "$T/home/Music/"
HOME=$T/home "$CS" --db "$T/def.db" index --engine-db >"$T/def.out" 2>"$T/def.err"; rc=$?
check default_db_read [ $rc -eq 0 ] && grep -q "engine 11 tracks" "$T/def.out"
check default_db_named grep -qF "reading the Engine DJ library $T/home/Music/Engine Library/Database2/m.db" "$T/def.err"
HOME=$T/nohome "$CS" --db "$T/def2.db" index --engine-db >/dev/null 2>"$T/def2.err"; rc=$?
check default_db_missing [ $rc -eq 1 ] && grep -q "no Engine DJ library" "$T/def2.err"

# ---- schema 2.x (Engine DJ 2.0 to 4.0): the blobs are columns of Track -------
cp "$MDB" "$T/v2.db"
sqlite3 "$T/v2.db" "ALTER TABLE Track ADD COLUMN beatData BLOB; ALTER TABLE Track ADD COLUMN quickCues BLOB;
    UPDATE Track SET beatData = (SELECT beatData FROM PerformanceData p WHERE p.trackId = Track.id),
                     quickCues = (SELECT quickCues FROM PerformanceData p WHERE p.trackId = Track.id);
    DROP TABLE PerformanceData; UPDATE Information SET schemaVersionMajor = 2, schemaVersionMinor = 18;"
mkdir -p "$T/drive/Engine Library/v2"
mv "$T/v2.db" "$T/drive/Engine Library/v2/m.db"   # beside Database2: paths resolve the same way
"$CS" --db "$T/v2lib.db" index --engine-db "$T/drive/Engine Library/v2/m.db" >"$T/v2.out" 2>&1; rc=$?
check schema_2_read [ $rc -eq 0 ] && grep -q "engine 11 tracks, 2 playlists" "$T/v2.out"
check schema_2_same_grids_and_cues [ "$(sqlite3 "$CS_DB" "SELECT group_concat(x, ';') FROM (SELECT r.track_id || ' ' ||
    (SELECT group_concat(printf('%.6f', inizio), ',') FROM rb_tempos WHERE rb_id = r.id) || ' ' ||
    (SELECT group_concat(printf('%.6f', start), ',') FROM rb_marks WHERE rb_id = r.id) AS x FROM rb_tracks r ORDER BY r.id)")" = \
    "$(sqlite3 "$T/v2lib.db" "SELECT group_concat(x, ';') FROM (SELECT r.track_id || ' ' ||
    (SELECT group_concat(printf('%.6f', inizio), ',') FROM rb_tempos WHERE rb_id = r.id) || ' ' ||
    (SELECT group_concat(printf('%.6f', start), ',') FROM rb_marks WHERE rb_id = r.id) AS x FROM rb_tracks r ORDER BY r.id)")" ]
