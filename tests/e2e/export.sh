# e2e: cs export on a synthesised library, checking the audio it wrote:
# lengths, click (beat) times, pitch, levels; the CSV; re-runs; bad tracks.
# run.sh: long (tens of seconds of CPU: started first, see tests/run.sh)
. "$(dirname "$0")/lib.sh"

AC=$TOOLS/audiocheck
L=$T/lib
"$CS" demo "$L" --tracks 3 --bars 2 >/dev/null || { fail setup "cs demo failed"; exit 0; }
export CS_DB=$T/lib.db

# field FILE KEY: a value from audiocheck's "key value" output
field() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
# csv_col CSV ROW COLNAME: a column of a data row (1-based), CSV-quoting aware
csv_col() {
    python3 - "$@" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(rows[int(sys.argv[2]) - 1][sys.argv[3]])
EOF
}

# --- rubberband (the default R3 engine), a two-rung ladder ---------------------
# (110 and 130 are 10 % and 6 % from the 122.5 BPM tracks: --max-stretch 0 renders
# every rung, as these measures of the pipeline need)
out=$("$CS" export "$L/struct" --rekordbox-xml "$L/rekordbox.xml" --bpm 122.5 --delta 2 \
      --n-sections 2 --ladder 110,130 --max-stretch 0 --stretch rubberband \
      --csv-out "$T/rb.csv" --parts-dir "$T/parts" --no-progress 2>"$T/err")
rc=$?
check rb_exit test $rc -eq 0
check rb_summary grep -q "3 tracks selected; parts rendered 9, up to date 0; tracks skipped 0, failed 0; 6 csv rows" <<<"$out"
# The original's 14 columns first, in its order (drop-in), then loudness (issue 19).
check csv_header test "$(head -1 "$T/rb.csv")" = $'path,bpm,key,target_bpm,speed,ini_cue,begin_cue,end_cue,begin_cue_adj,end_cue_adj,duration_orig,duration_sectioned,part_file_orig,part_file,part_lufs,part_true_peak_dbtp\r'
check csv_rows test "$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1])))) - 1)' "$T/rb.csv")" -eq 6
# The comma and apostrophe names survive CSV quoting and exist on disk.
check csv_quoting python3 - "$T/rb.csv" <<'EOF'
import csv, os, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert any("Warehouse, Again" in r["path"] for r in rows)
for r in rows:
    assert len(r) == 16 and os.path.isfile(r["part_file"]) and os.path.isfile(r["part_file_orig"]), r
EOF
# Numbers: speed = target / bpm; adj = (cue - ini) / speed, full precision.
check csv_math python3 - "$T/rb.csv" <<'EOF'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    bpm, t, s = float(r["bpm"]), float(r["target_bpm"]), float(r["speed"])
    ini, b, e = float(r["ini_cue"]), float(r["begin_cue"]), float(r["end_cue"])
    assert s == t / bpm, (s, t / bpm)
    assert float(r["begin_cue_adj"]) == (b - ini) / s
    assert float(r["end_cue_adj"]) == (e - ini) / s
    m, sec = r["duration_orig"].split(":")
    assert abs(int(m) * 60 + float(sec) - (e - ini)) < 0.006
    m, sec = r["duration_sectioned"].split(":")
    assert abs(int(m) * 60 + float(sec) - (e - ini) / s) < 0.006, r
EOF
check rb_layout test -d "$T/parts/110" -a -d "$T/parts/130" -a -d "$T/parts/orig"

# per rendered rung: exact length, beats on the target grid, pitch kept
rows=$(( $(wc -l < "$T/rb.csv") - 1 ))
for i in $(seq 1 "$rows"); do
    part=$(csv_col "$T/rb.csv" "$i" part_file)
    orig=$(csv_col "$T/rb.csv" "$i" part_file_orig)
    target=$(csv_col "$T/rb.csv" "$i" target_bpm)
    speed=$(csv_col "$T/rb.csv" "$i" speed)
    ini=$(csv_col "$T/rb.csv" "$i" ini_cue)
    end=$(csv_col "$T/rb.csv" "$i" end_cue)
    "$AC" info "$part" > "$T/info" && "$AC" info "$orig" > "$T/oinfo"
    want=$(awk -v i="$ini" -v e="$end" -v s="$speed" 'BEGIN { c = int(e * 44100 + 0.5) - int(i * 44100 + 0.5); printf "%d", int(c / s + 0.5) }')
    check "rb_length_exact_$i" test "$(field "$T/info" frames)" -eq "$want"
    check "orig_length_exact_$i" test "$(field "$T/oinfo" frames)" -eq \
        "$(awk -v i="$ini" -v e="$end" 'BEGIN { printf "%d", int(e * 44100 + 0.5) - int(i * 44100 + 0.5) }')"
    # ini_cue is a section boundary, so on a beat: beats at k * 60 / target
    "$AC" grid "$part" --bpm "$target" --first 0 > "$T/grid"
    check "rb_beats_within_5ms_$i" awk '$1 == "max_ms" { exit !($2 < 5) }' "$T/grid"
    check "rb_beats_found_$i" awk '$1 == "onsets" { exit !($2 >= 8) }' "$T/grid"
    po=$("$AC" pitch "$orig" --max-hz 1000 | field /dev/stdin hz)
    pp=$("$AC" pitch "$part" --max-hz 1000 | field /dev/stdin hz)
    check "rb_pitch_kept_$i" near "$pp" "$po" "$(awk -v p="$po" 'BEGIN { print p * 0.005 }')"
done
# rung levels of one track within 0.5 dB
t1_110=$(ls "$T"/parts/110/Demo\ 01*); t1_130=$(ls "$T"/parts/130/Demo\ 01*)
l1=$("$AC" info "$t1_110" | field /dev/stdin rms_db); l2=$("$AC" info "$t1_130" | field /dev/stdin rms_db)
check rung_levels_match near "$l1" "$l2" 0.5

# --- re-run: everything up to date, nothing rewritten -------------------------
before=$(stat -c %Y.%s "$T"/parts/*/*.wav | md5sum)
out=$("$CS" export --bpm 122.5 --delta 2 --n-sections 2 --ladder 110,130 --max-stretch 0 --stretch rubberband \
      --csv-out "$T/rb2.csv" --parts-dir "$T/parts" --no-progress 2>&1)
check rerun_up_to_date grep -q "parts rendered 0, up to date 9" <<<"$out"
check rerun_same_csv cmp -s "$T/rb.csv" "$T/rb2.csv"
check rerun_no_rewrite test "$(stat -c %Y.%s "$T"/parts/*/*.wav | md5sum)" = "$before"
# a changed setting (method) redoes the rungs, not the original-speed cuts
out=$("$CS" export --bpm 122.5 --delta 2 --n-sections 2 --ladder 110,130 --max-stretch 0 --stretch wsola \
      --csv-out "$T/ws.csv" --parts-dir "$T/parts" --no-progress 2>&1)
check method_change_rerenders grep -q "parts rendered 6, up to date 3" <<<"$out"
for i in 1 2; do
    part=$(csv_col "$T/ws.csv" "$i" part_file)
    target=$(csv_col "$T/ws.csv" "$i" target_bpm)
    speed=$(csv_col "$T/ws.csv" "$i" speed)
    dur=$(awk -v i="$(csv_col "$T/ws.csv" "$i" ini_cue)" -v e="$(csv_col "$T/ws.csv" "$i" end_cue)" -v s="$speed" 'BEGIN { print (e - i) / s }')
    check "wsola_length_20ms_$i" near "$("$AC" info "$part" | field /dev/stdin seconds)" "$dur" 0.02
    "$AC" grid "$part" --bpm "$target" --first 0 > "$T/grid"
    check "wsola_beats_within_10ms_$i" awk '$1 == "max_ms" { exit !($2 < 10) }' "$T/grid"
    po=$("$AC" pitch "$(csv_col "$T/ws.csv" "$i" part_file_orig)" --max-hz 1000 | field /dev/stdin hz)
    pp=$("$AC" pitch "$part" --max-hz 1000 | field /dev/stdin hz)
    check "wsola_pitch_kept_$i" near "$pp" "$po" "$(awk -v p="$po" 'BEGIN { print p * 0.005 }')"
done

# --- --stretch atempo: plain atempo, the original exporter's way -------------
out=$("$CS" export --bpm 122.5 --delta 0 --n-sections 2 --ladder 110 --max-stretch 0 --stretch atempo \
      --csv-out "$T/at.csv" --parts-dir "$T/at" --no-progress 2>&1)
part=$(csv_col "$T/at.csv" 1 part_file)
dur=$(awk -v i="$(csv_col "$T/at.csv" 1 ini_cue)" -v e="$(csv_col "$T/at.csv" 1 end_cue)" -v s="$(csv_col "$T/at.csv" 1 speed)" 'BEGIN { print (e - i) / s }')
check atempo_length_20ms near "$("$AC" info "$part" | field /dev/stdin seconds)" "$dur" 0.02
check atempo_recorded test "$(sqlite3 "$CS_DB" "SELECT method FROM renders WHERE out_path = '$part'")" = atempo

# --- rubberband --quality fast (R3 short window): exact length, beats within 5 ms
out=$("$CS" export --bpm 122.5 --delta 0 --n-sections 2 --ladder 110,130 --max-stretch 0 --stretch rubberband \
      --quality fast --csv-out "$T/r2.csv" --parts-dir "$T/r2" --no-progress 2>&1)
for i in 1 2; do
    part=$(csv_col "$T/r2.csv" "$i" part_file)
    want=$(awk -v i="$(csv_col "$T/r2.csv" "$i" ini_cue)" -v e="$(csv_col "$T/r2.csv" "$i" end_cue)" \
               -v s="$(csv_col "$T/r2.csv" "$i" speed)" \
               'BEGIN { c = int(e * 44100 + 0.5) - int(i * 44100 + 0.5); printf "%d", int(c / s + 0.5) }')
    check "r2_length_exact_$i" test "$("$AC" info "$part" | field /dev/stdin frames)" -eq "$want"
    "$AC" grid "$part" --bpm "$(csv_col "$T/r2.csv" "$i" target_bpm)" --first 0 > "$T/grid"
    check "r2_beats_within_5ms_$i" awk '$1 == "max_ms" { exit !($2 < 5) }' "$T/grid"
done

# --- rate: pitch follows the speed; single target layout; FLAC 24 -------------
out=$("$CS" export --bpm 122.5 --delta 0 --n-sections 2 --target-bpm 130 --stretch rate \
      --audio-format flac --bits 24 --csv-out "$T/rate.csv" --parts-dir "$T/single" --no-progress 2>&1)
part=$(csv_col "$T/rate.csv" 1 part_file)
check single_layout test "$part" = "$T/single/Demo 01 - Night Drive_sectioned.flac"
check single_orig_layout test -f "$T/single/orig/Demo 01 - Night Drive_sectioned.flac"
speed=$(csv_col "$T/rate.csv" 1 speed)
po=$("$AC" pitch "$(csv_col "$T/rate.csv" 1 part_file_orig)" --max-hz 1000 | field /dev/stdin hz)
pp=$("$AC" pitch "$part" --max-hz 1000 | field /dev/stdin hz)
check rate_pitch_follows near "$pp" "$(awk -v p="$po" -v s="$speed" 'BEGIN { print p * s }')" \
    "$(awk -v p="$po" 'BEGIN { print p * 0.005 }')"
check flac_written test "$(file -b "$part" 2>/dev/null | cut -c1-4)" = FLAC -o "$(head -c4 "$part")" = fLaC

# --- the original command line, drop-in: single target = --bpm ----------------
mkdir -p "$T/stems"
cp "$L"/audio/*.wav "$T/stems/"
# struct files whose path points nowhere: found by file name in --audio-dir
mkdir -p "$T/struct2"
for f in "$L"/struct/*.json; do
    sed 's#"path": "[^"]*/audio/#"path": "/Users/dj/Music/#' "$f" > "$T/struct2/$(basename "$f")"
done
(cd "$T" && "$CS" --db "$T/drop.db" export struct2 --bpm 122.5 --delta 2 --key "Gm,Cm" \
    --rekordbox-xml "$L/rekordbox.xml" --csv-out selected.csv --parts-dir parts_temp \
    --audio-dir stems --no-progress >"$T/out" 2>"$T/err")
check dropin_exit test $? -eq 0
check dropin_relative_part_file test "$(csv_col "$T/selected.csv" 1 part_file)" = "parts_temp/Demo 01 - Night Drive_sectioned.wav"
check dropin_key_filter test "$(( $(wc -l < "$T/selected.csv") - 1 ))" -eq 3
check dropin_target_is_bpm test "$(csv_col "$T/selected.csv" 1 target_bpm)" = "122.5"

# --- audio beside the struct file: export looks where index looks (issue 24) ---
# Indexed while the audio was nowhere, then the audio put next to the struct
# files: an export from the library alone (no re-index) finds it there, in
# the one lookup order (pkg/findaudio.h); the old copy skipped every track.
mkdir -p "$T/beside"
cp "$T"/struct2/*.json "$T/beside/"
"$CS_REL" --db "$T/beside.db" index "$T/beside" >/dev/null 2>&1
check beside_indexed_without_audio test "$(sqlite3 "$T/beside.db" "SELECT count(*) FROM tracks WHERE audio_path IS NULL")" -eq 3
cp "$L"/audio/*.wav "$T/beside/"
out=$("$CS" --db "$T/beside.db" export --bpm 122.5 --delta 2 --n-sections 1 --stretch rate \
      --csv-out "$T/beside.csv" --parts-dir "$T/beside_parts" --no-progress 2>"$T/beside.err")
check beside_export_finds_audio grep -q "3 tracks selected; parts rendered 6, up to date 0; tracks skipped 0" <<<"$out"
check beside_export_part test -f "$T/beside_parts/Demo 01 - Night Drive_sectioned.wav"
"$CS_REL" --db "$T/beside.db" index "$T/beside" >/dev/null 2>&1
check beside_index_agrees test "$(sqlite3 "$T/beside.db" "SELECT audio_path FROM tracks ORDER BY audio_path LIMIT 1")" = "$(realpath "$T/beside/Demo 01 - Night Drive.wav")"

# --- bad tracks: missing audio, undecodable audio, cues outside the audio ------
# gone from --audio-dir and from where the Rekordbox Location points
rm "$T/stems/Demo 02 - Warehouse, Again.wav" "$L/audio/Demo 02 - Warehouse, Again.wav"
printf 'not audio at all' > "$T/stems/Demo 03 - Café l'été.wav"
(cd "$T" && "$CS" --db "$T/drop.db" export struct2 --bpm 122.5 --delta 2 --n-sections 2 \
    --csv-out bad.csv --parts-dir parts_bad --audio-dir stems --stretch rate --no-progress >"$T/out" 2>"$T/err")
check bad_tracks_exit_ok test $? -eq 0
check missing_audio_named grep -q "Warehouse, Again.wav: skipped: audio not found" "$T/err"
check undecodable_named grep -q "Café l'été.*skipped" "$T/err"
check bad_tracks_counted grep -q "tracks skipped 2, failed 0" "$T/out"
check bad_tracks_left_out test "$(( $(wc -l < "$T/bad.csv") - 1 ))" -eq 1
sox "$L/audio/Demo 01 - Night Drive.wav" "$T/stems/Demo 01 - Night Drive.wav" trim 0 5 2>/dev/null ||
    ffmpeg -loglevel quiet -y -i "$L/audio/Demo 01 - Night Drive.wav" -t 5 "$T/stems/Demo 01 - Night Drive.wav"
(cd "$T" && "$CS" --db "$T/drop.db" export struct2 --bpm 122.5 --delta 2 --n-sections 2 \
    --csv-out bad.csv --parts-dir parts_bad --audio-dir stems --stretch rate --no-progress >"$T/out" 2>"$T/err")
check cues_outside_named grep -q "cues outside the audio" "$T/err"

# --- unwritable output ---------------------------------------------------------
touch "$T/afile"
"$CS" export --bpm 122.5 --delta 2 --n-sections 2 --parts-dir "$T/afile/parts" --stretch rate \
    --no-progress >/dev/null 2>"$T/err"
check unwritable_parts_exit test $? -eq 1
check unwritable_parts_line grep -q "afile/parts: cannot create the parts folder" "$T/err"
"$CS" export --bpm 122.5 --delta 2 --n-sections 2 --parts-dir "$T/parts" --csv-out "$T/afile/x.csv" \
    --stretch rubberband --quality fast --ladder 110,130 --max-stretch 0 --no-progress >/dev/null 2>"$T/err"
check unwritable_csv_exit test $? -eq 1
check unwritable_csv_line grep -q "x.csv: cannot write" "$T/err"

# --- usage errors ---------------------------------------------------------------
"$CS" export --ladder 0,120 2>"$T/err"; check ladder_zero_usage test $? -eq 2
"$CS" export --target-bpm 5000 2>"$T/err"; check absurd_target_usage test $? -eq 2
"$CS" export --stretch magic 2>"$T/err"; check bad_method_usage test $? -eq 2
"$CS" export --audio-format flac --bits 32f 2>"$T/err"; check flac_float_usage test $? -eq 2

# --- other input formats: MP3 and FLAC sources decode ---------------------------
if command -v ffmpeg >/dev/null; then
    mkdir -p "$T/fmt"
    for ext in flac mp3; do
        ffmpeg -loglevel quiet -y -i "$L/audio/Demo 01 - Night Drive.wav" "$T/fmt/n.$ext"
        sed "s#\"path\": \"[^\"]*\"#\"path\": \"$T/fmt/n.$ext\"#" \
            "$L/struct/Demo 01 - Night Drive.json" > "$T/fmt/n_$ext.json"
    done
    "$CS" --db "$T/fmt.db" export "$T/fmt" --bpm 123 --delta 0 --n-sections 2 --stretch rate \
        --parts-dir "$T/fmtparts" --csv-out "$T/fmt.csv" --no-progress >"$T/out" 2>"$T/err"
    check other_formats_rendered grep -q "parts rendered 4" "$T/out"
else
    skip other_formats "ffmpeg not installed"
fi

# --- two struct files with the same name in different folders ----------------
mkdir -p "$T/dup/a" "$T/dup/b"
cp "$L/struct/Demo 01 - Night Drive.json" "$T/dup/a/same.json"
cp "$L/struct/Demo 01 - Night Drive.json" "$T/dup/b/same.json"
"$CS" --db "$T/dup.db" export "$T/dup" --bpm-min 100 --n-sections 2 --stretch rate \
    --parts-dir "$T/dupparts" --csv-out "$T/dup.csv" --no-progress >/dev/null 2>"$T/err"
# parts are named after the audio file (both are Demo 01's), the second "(2)"
check duplicate_names_kept_apart test -f "$T/dupparts/Demo 01 - Night Drive_sectioned.wav" \
    -a -f "$T/dupparts/Demo 01 - Night Drive (2)_sectioned.wav"
check duplicate_names_warned grep -q "same file name" "$T/err"

# --- a library from a newer cs is refused, not damaged -------------------------
cp "$T/dup.db" "$T/newer.db"
sqlite3 "$T/newer.db" "PRAGMA user_version = 99"
"$CS" --db "$T/newer.db" search >/dev/null 2>"$T/err"
check newer_schema_refused test $? -eq 1
check newer_schema_named grep -q "newer than this cs" "$T/err"
check newer_schema_untouched test "$(sqlite3 "$T/newer.db" "PRAGMA user_version")" = 99
