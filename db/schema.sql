-- Crowdstream library schema.  Forward migrations only: each block below is
-- applied once, in order, inside its own transaction, and sets
-- PRAGMA user_version to its number.  Never edit a released block; add one.
-- Blocks start with a line "-- migration N".

-- migration 1
CREATE TABLE tracks (
    id              INTEGER PRIMARY KEY,
    struct_path     TEXT NOT NULL UNIQUE,   -- the allin1 JSON file
    struct_mtime_ns INTEGER NOT NULL,
    struct_size     INTEGER NOT NULL,
    analysed_path   TEXT,                   -- JSON "path" (NULL when absent)
    analysed_fold   TEXT,                   -- folded for Rekordbox matching
    file_fold       TEXT,                   -- folded file name of it
    audio_path      TEXT,                   -- resolved audio file, NULL if not found
    json_bpm        REAL,                   -- JSON "bpm" (NULL when absent)
    beats_bpm       REAL,                   -- median beat interval tempo
    json_key        TEXT,
    duration        REAL,                   -- end of the last segment
    n_beats         INTEGER NOT NULL DEFAULT 0,
    beats           BLOB,                   -- float64 little-endian seconds
    downbeats       BLOB,                   -- float64 little-endian seconds
    beat_positions  BLOB,                   -- int8 per beat
    warnings        INTEGER NOT NULL DEFAULT 0,
    rb_id           INTEGER REFERENCES rb_tracks(id) ON DELETE SET NULL
);
CREATE INDEX tracks_rb ON tracks(rb_id);

CREATE TABLE segments (
    track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    start    REAL NOT NULL,
    end      REAL NOT NULL,
    label    TEXT NOT NULL,
    PRIMARY KEY (track_id, idx)
) WITHOUT ROWID;

CREATE TABLE rb_collections (
    id        INTEGER PRIMARY KEY,
    xml_path  TEXT NOT NULL UNIQUE,
    mtime_ns  INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    product   TEXT,
    version   TEXT,
    company   TEXT,
    entries   INTEGER
);

CREATE TABLE rb_tracks (
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES rb_collections(id) ON DELETE CASCADE,
    track_id      TEXT,
    name          TEXT,
    artist        TEXT,
    album         TEXT,
    genre         TEXT,
    kind          TEXT,
    location      TEXT,
    path          TEXT,       -- decoded Location
    path_fold     TEXT,
    name_fold     TEXT,       -- folded file name
    average_bpm   REAL,       -- NULL when 0 / absent
    tonality      TEXT,       -- NULL when empty
    total_time    REAL
);
CREATE INDEX rb_tracks_path ON rb_tracks(path_fold);
CREATE INDEX rb_tracks_name ON rb_tracks(name_fold);
CREATE INDEX rb_tracks_coll ON rb_tracks(collection_id);

CREATE TABLE rb_tempos (
    rb_id   INTEGER NOT NULL REFERENCES rb_tracks(id) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    inizio  REAL, bpm REAL, metro TEXT, battito INTEGER,
    PRIMARY KEY (rb_id, idx)
) WITHOUT ROWID;

CREATE TABLE rb_marks (
    rb_id   INTEGER NOT NULL REFERENCES rb_tracks(id) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    name TEXT, type INTEGER, start REAL, end REAL, num INTEGER,
    PRIMARY KEY (rb_id, idx)
) WITHOUT ROWID;

CREATE TABLE rb_playlists (
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES rb_collections(id) ON DELETE CASCADE,
    path          TEXT NOT NULL,
    name          TEXT,
    type          INTEGER,
    key_type      INTEGER
);

CREATE TABLE rb_playlist_entries (
    playlist_id INTEGER NOT NULL REFERENCES rb_playlists(id) ON DELETE CASCADE,
    pos         INTEGER NOT NULL,
    key         TEXT,
    PRIMARY KEY (playlist_id, pos)
) WITHOUT ROWID;

CREATE TABLE renders (
    id          INTEGER PRIMARY KEY,
    track_id    INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    target_bpm  REAL,            -- NULL for the original-speed cut
    method      TEXT NOT NULL,   -- rubberband | wsola | rate | orig
    quality     TEXT,
    format      TEXT NOT NULL,
    ini_cue     REAL NOT NULL,
    begin_cue   REAL NOT NULL,
    end_cue     REAL NOT NULL,
    speed       REAL NOT NULL,
    out_path    TEXT NOT NULL UNIQUE,   -- absolute
    out_size    INTEGER NOT NULL,       -- bytes, to notice a replaced file
    frames      INTEGER NOT NULL,
    rate        INTEGER NOT NULL,
    gain_db     REAL,
    fingerprint TEXT NOT NULL,   -- what the output was made from and how
    rendered_at INTEGER NOT NULL
);
CREATE INDEX renders_track ON renders(track_id);

-- Effective BPM and key (docs/contract.md "The library"): Rekordbox first, then the JSON.
CREATE VIEW library AS
SELECT t.*,
       r.average_bpm AS rb_bpm,
       r.tonality    AS rb_key,
       COALESCE(r.average_bpm, t.json_bpm) AS bpm,
       COALESCE(r.tonality, t.json_key)    AS key
FROM tracks t LEFT JOIN rb_tracks r ON r.id = t.rb_id;

-- migration 2
-- Where a struct came from (issue 14): 'allin1' (a JSON without "source"),
-- the JSON's "source" as written (e.g. 'cs analyze 0.1.0'), or 'rekordbox'
-- for a struct `cs index --from-rekordbox` made from a collection track's
-- TEMPO grid and memory cues (struct_path 'rekordbox:<xml>#<TrackID>').
ALTER TABLE tracks ADD COLUMN source TEXT NOT NULL DEFAULT 'allin1';
CREATE INDEX tracks_source ON tracks(source);

-- migration 3
-- Struct files that did not index, with the reason (issue 22 item 6): cs ls
-- lists them, so a track is never silently left out.  Rewritten for a folder
-- on every cs index of it.
CREATE TABLE index_failures (
    struct_path TEXT PRIMARY KEY,
    reason      TEXT NOT NULL
);

-- migration 4
-- Half or double tempo (issue 22 item 4): Rekordbox says 93.75 and the beat
-- grid 187.49.  The effective BPM is the stated one (Rekordbox's, else the
-- JSON's) moved by the octave (x2, x4, /2, /4, within 3 %) that agrees with
-- the track's beat grid (beats_bpm, the median beat interval), because the
-- grid is what cuts, anchors and the player follow; `octave` is that factor
-- (1: none), and cs index warns for every track where it is not 1.
DROP VIEW library;
CREATE VIEW library AS
SELECT t.*,
       r.average_bpm AS rb_bpm,
       r.tonality    AS rb_key,
       COALESCE(r.average_bpm, t.json_bpm) *
           (CASE WHEN NOT t.beats_bpm > 0 OR NOT COALESCE(r.average_bpm, t.json_bpm) > 0 THEN 1
                 WHEN abs(t.beats_bpm / COALESCE(r.average_bpm, t.json_bpm) - 2) < 0.06 THEN 2
                 WHEN abs(t.beats_bpm / COALESCE(r.average_bpm, t.json_bpm) - 4) < 0.12 THEN 4
                 WHEN abs(t.beats_bpm / COALESCE(r.average_bpm, t.json_bpm) - 0.5) < 0.015 THEN 0.5
                 WHEN abs(t.beats_bpm / COALESCE(r.average_bpm, t.json_bpm) - 0.25) < 0.0075 THEN 0.25
                 ELSE 1 END) AS bpm,
       (CASE WHEN NOT t.beats_bpm > 0 OR NOT COALESCE(r.average_bpm, t.json_bpm) > 0 THEN 1
             WHEN abs(t.beats_bpm / COALESCE(r.average_bpm, t.json_bpm) - 2) < 0.06 THEN 2
             WHEN abs(t.beats_bpm / COALESCE(r.average_bpm, t.json_bpm) - 4) < 0.12 THEN 4
             WHEN abs(t.beats_bpm / COALESCE(r.average_bpm, t.json_bpm) - 0.5) < 0.015 THEN 0.5
             WHEN abs(t.beats_bpm / COALESCE(r.average_bpm, t.json_bpm) - 0.25) < 0.0075 THEN 0.25
             ELSE 1 END) AS octave,
       COALESCE(r.tonality, t.json_key)    AS key
FROM tracks t LEFT JOIN rb_tracks r ON r.id = t.rb_id;

-- migration 5
-- Loudness of every rendered part (issue 19): integrated loudness (EBU R128,
-- LUFS) and true peak (dBTP) measured by libebur128 on the part as written.
-- NULL: not measured yet (parts rendered before this; the next cs export
-- measures them from the file, without rendering them again) or no
-- integrated loudness (silence).
ALTER TABLE renders ADD COLUMN lufs REAL;
ALTER TABLE renders ADD COLUMN true_peak_dbtp REAL;
ALTER TABLE renders ADD COLUMN loudness_measured INTEGER NOT NULL DEFAULT 0;

-- migration 6
-- Other DJ libraries (issue 23): the rb_* tables hold one collection per
-- library kind, stored alike, labelled here ('rekordbox', 'traktor');
-- structs made from one (--from-traktor ...) carry the same label in
-- tracks.source and struct_path '<source>:<file>#<track id>'.
ALTER TABLE rb_collections ADD COLUMN source TEXT NOT NULL DEFAULT 'rekordbox';

-- migration 7
-- A track's energy (issue 20, pkg/energy.h): 0..1, measured by cs export on
-- the part it renders (mean spectral flux of the loudness-normalised audio);
-- NULL: not measured yet.
ALTER TABLE tracks ADD COLUMN energy REAL;

-- migration 8
-- Each rendered part's loudness over its time (issue 19, pkg/loudness.h):
-- CS_LOUDNESS_SLICES comma-separated LUFS, an empty field for a silent
-- slice; the player gains a track by the stretch it plays alone.  NULL: not
-- measured yet (parts measured before this; the next cs export measures
-- them from the file, without rendering them again).
ALTER TABLE renders ADD COLUMN loudness_slices TEXT;
