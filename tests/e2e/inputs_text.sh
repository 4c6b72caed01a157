#!/usr/bin/env bash
# e2e for issue 10, "Text files and names from other tools" and the export
# drop-in items: text with a BOM and CRLF, Rekordbox Locations in a legacy
# code page, key text with a tuning suffix, audio found by name across
# Unicode forms and by the struct file's stem, ambiguous Rekordbox matches,
# the playlist count, CRLF CSV rows and parts named after the audio file.
. "$(dirname "$0")/lib.sh"

L=$T/lib
"$CS_REL" demo "$L" --tracks 2 --bars 2 >/dev/null || { fail setup "cs demo failed"; exit 0; }
A1="Demo 01 - Night Drive" A2="Demo 02 - Warehouse, Again"
# col CSV ROW NAME: a field of a data row (1-based), CSV-quoting aware
col() {
    python3 - "$@" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(rows[int(sys.argv[2]) - 1][sys.argv[3]] if len(rows) >= int(sys.argv[2]) else "")
EOF
}
# rewrite IN OUT KEY VALUE: a struct JSON with KEY set (VALUE json) or removed (VALUE "-")
rewrite() {
    python3 - "$@" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
if sys.argv[4] == "-": d.pop(sys.argv[3], None)
else: d[sys.argv[3]] = json.loads(sys.argv[4])
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
EOF
}
nfc() { python3 -c 'import sys, unicodedata; print(unicodedata.normalize("NFC", sys.argv[1]))' "$1"; }
nfd() { python3 -c 'import sys, unicodedata; print(unicodedata.normalize("NFD", sys.argv[1]))' "$1"; }

# --- 1. one playlist inside ROOT is 1 playlist (the demo XML is exactly that) --
out=$("$CS" --db "$T/pl.db" index --rekordbox-xml "$L/rekordbox.xml" 2>&1)
check one_playlist_in_root grep -q "rekordbox 2 tracks, 1 playlists;" <<<"$out"
# another input of the kind: two playlists and an empty one in nested folders
python3 - "$L/rekordbox.xml" "$T/nested.xml" <<'EOF'
import sys
x = open(sys.argv[1], encoding="utf-8").read()
nodes = ('<NODE Type="0" Name="ROOT" Count="2"><NODE Type="0" Name="Sets" Count="2">'
         '<NODE Name="a" Type="1" KeyType="0" Entries="1"><TRACK Key="1"/></NODE>'
         '<NODE Name="b" Type="1" KeyType="0" Entries="0"></NODE></NODE>'
         '<NODE Name="c" Type="1" KeyType="0" Entries="1"><TRACK Key="2"/></NODE></NODE>')
s, e = x.index('<NODE Type="0" Name="ROOT"'), x.index('</PLAYLISTS>')
open(sys.argv[2], "w", encoding="utf-8").write(x[:s] + nodes + x[e:])
EOF
out=$("$CS" --db "$T/pl2.db" index --rekordbox-xml "$T/nested.xml" 2>&1)
check playlists_not_folders grep -q "rekordbox 2 tracks, 3 playlists;" <<<"$out"

# --- 2. key text with a tuning suffix or extra words ---------------------------
mkdir -p "$T/keys"
rewrite "$L/struct/$A1.json" "$T/keys/$A1.json" key '"A#m +50"'
rewrite "$L/struct/$A2.json" "$T/keys/$A2.json" key '"Am (tuning -12) energy 6"'
out=$("$CS" --db "$T/key.db" index "$T/keys" 2>&1)
check key_suffix_no_unknown grep -q "unknown keys 0;" <<<"$out"
for k in "A#m" Bbm 3A "a# minor"; do
    got=$("$CS" --db "$T/key.db" search --key "$k" --n-sections 1 2>&1)
    [ "$(wc -l <<<"$got")" = 1 ] && grep -q "$A1.wav" <<<"$got" && pass "key_suffix_selected_by_$k" \
        || fail "key_suffix_selected_by_$k" "search --key '$k': $got"
done
got=$("$CS" --db "$T/key.db" search --key 8A --n-sections 1 2>&1)
check key_words_selected_by_8A test "$got" = "$L/audio/$A2.wav"

# --- 3. audio by file name across Unicode forms, both ways ---------------------
name=$(nfc "Été à Noël")
for form in nfd nfc; do
    mkdir -p "$T/u_$form/struct" "$T/u_$form/audio"
    if [ $form = nfd ]; then jname=$(nfd "$name") fname=$(nfc "$name"); else jname=$(nfc "$name") fname=$(nfd "$name"); fi
    cp "$L/audio/$A1.wav" "$T/u_$form/audio/$fname.wav"
    rewrite "$L/struct/$A1.json" "$T/u_$form/struct/$A1.json" path "\"/Users/dj/Music/$jname.wav\""
    "$CS" --db "$T/u_$form.db" index "$T/u_$form/struct" --audio-dir "$T/u_$form/audio" >"$T/u.out" 2>&1
    got=$("$CS" --db "$T/u_$form.db" search --format csv --n-sections 1 2>&1)
    check "index_finds_${form}_path_in_other_form" test "$(col <(echo "$got") 1 audio_path)" = "$T/u_$form/audio/$fname.wav"
    # export on a library that has not resolved it (no --audio-dir at index time)
    "$CS" --db "$T/ue_$form.db" export "$T/u_$form/struct" --audio-dir "$T/u_$form/audio" --bpm-min 100 --bpm-max 140 \
        --n-sections 1 --stretch rate --csv-out "$T/u_$form.csv" --parts-dir "$T/u_$form/parts" --no-progress >"$T/u.out" 2>&1
    check "export_finds_${form}_path_in_other_form" test -f "$T/u_$form/parts/${fname}_sectioned.wav"
done

# --- 4. a struct without path: audio named after the struct file ---------------
mkdir -p "$T/np/struct" "$T/np/audio"
rewrite "$L/struct/$A2.json" "$T/np/struct/$A2.json" path -
cp "$L/audio/$A2.wav" "$T/np/audio/"
"$CS" --db "$T/np.db" index "$T/np/struct" --audio-dir "$T/np/audio" >"$T/np.out" 2>&1
got=$("$CS" --db "$T/np.db" search --format csv --n-sections 1 2>&1)
check index_no_path_by_struct_stem test "$(col <(echo "$got") 1 audio_path)" = "$T/np/audio/$A2.wav"
"$CS" --db "$T/np2.db" export "$T/np/struct" --audio-dir "$T/np/audio" --bpm-min 100 --bpm-max 140 --n-sections 1 \
    --stretch rate --csv-out "$T/np.csv" --parts-dir "$T/np/parts" --no-progress >"$T/np.out" 2>"$T/np.err"
check export_no_path_by_struct_stem test -f "$T/np/parts/${A2}_sectioned.wav"
# another input of the kind: a FLAC named in the other Unicode form
mkdir -p "$T/np3/struct" "$T/np3/audio"
rewrite "$L/struct/$A1.json" "$T/np3/struct/$(nfd "Café").json" path -
sox "$L/audio/$A1.wav" "$T/np3/audio/$(nfc "Café").flac" 2>/dev/null || ffmpeg -loglevel quiet -i "$L/audio/$A1.wav" "$T/np3/audio/$(nfc "Café").flac"
"$CS" --db "$T/np3.db" export "$T/np3/struct" --audio-dir "$T/np3/audio" --bpm-min 100 --bpm-max 140 --n-sections 1 \
    --stretch rate --csv-out "$T/np3.csv" --parts-dir "$T/np3/parts" --no-progress >"$T/np3.out" 2>&1
check export_no_path_flac_other_form test "$(col "$T/np3.csv" 1 path)" != "" -a -f "$T/np3/parts/$(nfc "Café")_sectioned.wav"
# and when it is not there, the warning says what was looked for
rm "$T/np/audio/$A2.wav"
"$CS" --db "$T/np4.db" export "$T/np/struct" --audio-dir "$T/np/audio" --bpm-min 100 --bpm-max 140 --n-sections 1 \
    --stretch rate --csv-out "$T/np4.csv" --parts-dir "$T/np/parts4" --no-progress >"$T/np.out" 2>"$T/np.err"
check no_path_warning_says_so grep -q "$A2.json: skipped: audio not found (the struct names no path and neither $T/np/audio nor the struct file's folder has an audio file named after it)" "$T/np.err"

# --- 5. Rekordbox Locations percent-encoded in Windows-1252 -------------------
mkdir -p "$T/l1/struct" "$T/l1/audio"
cp "$L/audio/$A1.wav" "$T/l1/audio/$(nfc "RÜFÜS – Été").wav"
rewrite "$L/struct/$A1.json" "$T/l1/struct/$A1.json" path "\"$T/l1/audio/$(nfc "RÜFÜS – Été").wav\""
# %DC = Ü, %96 = EN DASH (Windows-1252 only), %C9/%E9 = É/é; BPM 118 to see the override
python3 - "$L/rekordbox.xml" "$T/l1.xml" "$T/l1/audio" <<'EOF'
import sys, urllib.parse
x = open(sys.argv[1], encoding="utf-8").read()
loc = "file://localhost" + urllib.parse.quote(sys.argv[3] + "/") + "R%DCF%DCS%20%96%20%C9t%E9.wav"
s = x.index('Location="', x.index('TrackID="1"')) + len('Location="')
x = x[:s] + loc + x[x.index('"', s):]
x = x.replace('AverageBpm="122.50"', 'AverageBpm="118.00"', 1)
open(sys.argv[2], "w", encoding="utf-8").write(x)
EOF
out=$("$CS" --db "$T/l1.db" index "$T/l1/struct" --rekordbox-xml "$T/l1.xml" 2>&1)
check latin1_location_matched grep -q "matched to rekordbox 1, bpm overridden 1" <<<"$out"
check latin1_location_stored_utf8 test "$(sqlite3 "$T/l1.db" "SELECT path FROM rb_tracks WHERE track_id='1'")" = "$T/l1/audio/$(nfc "RÜFÜS – Été").wav"

# --- 6. ambiguous Rekordbox matches are named -----------------------------------
# (a) two TRACKs with the same Location: the first is used, and said so
python3 - "$L/rekordbox.xml" "$T/dup.xml" <<'EOF'
import re, sys
x = open(sys.argv[1], encoding="utf-8").read()
t1 = re.search(r'<TRACK TrackID="1".*?</TRACK>', x, re.S).group(0)
t9 = t1.replace('TrackID="1"', 'TrackID="9"').replace('AverageBpm="122.50"', 'AverageBpm="99.00"')
x = x.replace(t1, t1 + "\n" + t9).replace('Entries="2"', 'Entries="3"', 1)
open(sys.argv[2], "w", encoding="utf-8").write(x)
EOF
"$CS" --db "$T/dup.db" index "$L/struct" --rekordbox-xml "$T/dup.xml" >"$T/dup.out" 2>"$T/dup.err"
check same_location_named grep -q "$A1.json: 2 TRACKs in $T/dup.xml have the same Location \"$L/audio/$A1.wav\" (TrackID 1, 9); the first is used" "$T/dup.err"
check same_location_first_used test "$(sqlite3 "$T/dup.db" "SELECT r.track_id FROM tracks t JOIN rb_tracks r ON r.id = t.rb_id WHERE t.struct_path LIKE '%Night Drive.json'")" = 1
# (b) the struct's file name twice in the collection, in folders not its own
python3 - "$L/rekordbox.xml" "$T/twice.xml" <<'EOF'
import re, sys
x = open(sys.argv[1], encoding="utf-8").read()
t1 = re.search(r'<TRACK TrackID="1".*?</TRACK>', x, re.S).group(0)
a = re.sub(r'Location="[^"]*"', 'Location="file://localhost/Volumes/USB1/Demo%2001%20-%20Night%20Drive.wav"', t1)
b = re.sub(r'Location="[^"]*"', 'Location="file://localhost/Volumes/USB2/Demo%2001%20-%20Night%20Drive.wav"', t1).replace('TrackID="1"', 'TrackID="7"')
open(sys.argv[2], "w", encoding="utf-8").write(x.replace(t1, a + "\n" + b))
EOF
mkdir -p "$T/tw"
rewrite "$L/struct/$A1.json" "$T/tw/$A1.json" path '"/Users/dj/Music/Demo 01 - Night Drive.wav"'
"$CS" --db "$T/tw.db" index "$T/tw" --rekordbox-xml "$T/twice.xml" >"$T/tw.out" 2>"$T/tw.err"
check name_twice_named grep -q "$A1.json: not matched to Rekordbox: its file name is in $T/twice.xml 2 times" "$T/tw.err"

# --- 7. export: CRLF rows, parts named after the audio file ------------------------
mkdir -p "$T/st/struct" "$T/st/audio" "$T/st/other"
rewrite "$L/struct/$A1.json" "$T/st/struct/kitaharalab__track one.json" path "\"$T/st/audio/$A1.wav\""
rewrite "$L/struct/$A2.json" "$T/st/struct/$A2 (analysis).json" path "\"$T/st/audio/.hidden, take 2.wav\""
# a third struct whose audio has the first one's name in another folder: the (2) rule
rewrite "$L/struct/$A1.json" "$T/st/struct/zz copy.json" path "\"$T/st/other/$A1.wav\""
cp "$L/audio/$A1.wav" "$T/st/audio/$A1.wav"
cp "$L/audio/$A2.wav" "$T/st/audio/.hidden, take 2.wav"
cp "$L/audio/$A1.wav" "$T/st/other/$A1.wav"
(cd "$T/st" && "$CS" --db "$T/st.db" export struct --bpm-min 100 --bpm-max 140 --n-sections 1 --stretch rate \
    --csv-out set.csv --parts-dir parts --no-progress >"$T/st.out" 2>"$T/st.err")
check export_exit test $? -eq 0
check parts_named_after_audio test -f "$T/st/parts/${A1}_sectioned.wav" -a -f "$T/st/parts/orig/${A1}_sectioned.wav"
check parts_clash_rule test -f "$T/st/parts/${A1} (2)_sectioned.wav"
check parts_escape_proof test -f "$T/st/parts/_hidden, take 2_sectioned.wav"
check parts_not_struct_named test ! -e "$T/st/parts/kitaharalab__track one_sectioned.wav"
check csv_part_file_is_audio_named python3 - "$T/st/set.csv" "$T/st/audio/$A1.wav" "parts/${A1}_sectioned.wav" <<'EOF'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["path"] == sys.argv[2]]
assert len(rows) == 1 and rows[0]["part_file"] == sys.argv[3], rows
EOF
check csv_crlf python3 - "$T/st/set.csv" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
lines = b.split(b"\n")
assert lines[-1] == b"" and len(lines) == 5, lines
assert all(l.endswith(b"\r") and b"\r" not in l[:-1] for l in lines[:-1]), lines
EOF
# every reader of it: cs play --csv (and with a BOM in front, as a spreadsheet saves it)
printf '\xEF\xBB\xBF' | cat - "$T/st/set.csv" > "$T/st/bom.csv"
for c in set bom; do
    (cd "$T/st" && "$CS" --db "$T/st.db" play --csv $c.csv --render "$T/st/$c.wav" --duration 2 >"$T/st/$c.log" 2>&1)
    rc=$?
    [ $rc -eq 0 ] && grep -q "track 1/3" "$T/st/$c.log" && ! grep -q "row skipped\|not an export CSV" "$T/st/$c.log" \
        && pass "play_reads_${c}_csv" || fail "play_reads_${c}_csv" "rc $rc: $(tail -3 "$T/st/$c.log")"
done
