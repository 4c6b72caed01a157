# e2e: cs index / cs search on hand-written structs, a Rekordbox XML, the real
# files in ../shared/realdata, bad inputs, incremental re-index and a kill.
. "$(dirname "$0")/lib.sh"

DB=$T/lib.db
S=$T/struct
mkdir -p "$S"

# struct NAME PATH BPM KEY [LABELS...]: a struct whose segments are 10 s each
struct() {
    local name=$1 path=$2 bpm=$3 key=$4; shift 4
    local segs="" t=0 lab
    for lab in "$@"; do
        segs="$segs${segs:+,}{\"start\": $t, \"end\": $((t + 10)), \"label\": \"$lab\"}"
        t=$((t + 10))
    done
    local keyjson=""
    [ -n "$key" ] && keyjson=", \"key\": \"$key\""
    printf '{"path": "%s", "bpm": %s, "beats": [0.5, 1.0, 1.5, 2.0], "downbeats": [0.5],\n "beat_positions": [1, 2, 3, 4], "segments": [%s]%s}\n' \
        "$path" "$bpm" "$segs" "$keyjson" > "$S/$name.json"
}

struct a "/music/A Track.wav" 120 Gm start intro verse chorus verse chorus end
struct b "/music/Café Noir.wav" 124 "" start intro intro verse chorus bridge chorus outro
struct c "/music/c.wav" 100 Cm intro verse
struct d "/music/d.wav" 122 6A intro verse chorus verse
# NFD "é" in the JSON path, NFC in the XML: they must match.
struct e "/music/Cafe$(printf '\xcc\x81') Two.wav" 90 "" intro verse chorus verse
printf '{"path": "x", "bpm": ' > "$S/broken.json"          # truncated
printf '[1, 2, 3]' > "$S/array.json"                         # not an object

cat > "$T/rb.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<DJ_PLAYLISTS Version="1.0.0">
  <PRODUCT Name="rekordbox" Version="6.7.3" Company="AlphaTheta"/>
  <COLLECTION Entries="3">
    <TRACK TrackID="1" Name="Cafe Noir" AverageBpm="122.50" Tonality="Gm"
           Location="file://localhost/Music/Caf%c3%a9%20Noir.wav">
      <TEMPO Inizio="0.100" Bpm="122.50" Metro="4/4" Battito="1"/>
    </TRACK>
    <TRACK TrackID="2" Name="Cafe Two" AverageBpm="121.00" Tonality="5A"
           Location="file://localhost/other/CAF%C3%89%20TWO.wav"/>
    <TRACK TrackID="3" Name="Unanalysed" AverageBpm="0.00" Tonality=""
           Location="file://localhost/music/d.wav"/>
  </COLLECTION>
  <PLAYLISTS><NODE Type="0" Name="ROOT" Count="1">
    <NODE Name="set" Type="1" KeyType="0" Entries="2"><TRACK Key="1"/><TRACK Key="2"/></NODE>
  </NODE></PLAYLISTS>
</DJ_PLAYLISTS>
EOF

out=$("$CS" --db "$DB" index "$S" --rekordbox-xml "$T/rb.xml" 2>"$T/err")
rc=$?
check exit_ok test $rc -eq 0
check summary_counts grep -q "indexed 5, unchanged 0, removed 0, failed 2" <<<"$out"
check rekordbox_counts grep -q "rekordbox 3 tracks, 1 playlists" <<<"$out"
# b matches by decoded path (case, NFC), e by unique file name (NFD vs NFC),
# d by path (BPM 0 and empty key there: JSON values stay).
check matched_three grep -q "matched to rekordbox 3" <<<"$out"
check bpm_overridden_two grep -q "bpm overridden 2" <<<"$out"
check broken_named grep -q "broken.json" "$T/err"
check array_named grep -q "array.json" "$T/err"
check one_line_each test "$(grep -c 'broken.json' "$T/err")" -eq 1

q() { sqlite3 "$DB" "$1"; }
check effective_bpm_rb test "$(q "SELECT bpm FROM library WHERE struct_path LIKE '%/b.json'")" = "122.5"
check effective_key_rb test "$(q "SELECT key FROM library WHERE struct_path LIKE '%/e.json'")" = "5A"
check json_bpm_kept_when_rb_zero test "$(q "SELECT bpm FROM library WHERE struct_path LIKE '%/d.json'")" = "122.0"
check segments_stored test "$(q "SELECT COUNT(*) FROM segments s JOIN tracks t ON t.id = s.track_id WHERE t.struct_path LIKE '%/a.json'")" = 7
check beats_blob test "$(q "SELECT length(beats) FROM tracks WHERE struct_path LIKE '%/a.json'")" = 32
check tempo_stored test "$(q "SELECT COUNT(*) FROM rb_tempos")" = 1
check playlist_entries test "$(q "SELECT COUNT(*) FROM rb_playlist_entries")" = 2
check wal_mode test "$(q "PRAGMA journal_mode")" = wal
check user_version test "$(q "PRAGMA user_version")" -ge 1

# search: 122.5 +- 2 -> a? no (120 < 120.5); b (122.5), d (122); sorted by path
# e matched Rekordbox track 2 (121) by its unique file name; NFD sorts first.
res=$("$CS" --db "$DB" search --bpm 122.5 --delta 2 --n-sections 3)
check search_bpm_window test "$res" = "$(printf '/music/Cafe\xcc\x81 Two.wav\n/music/Café Noir.wav\n/music/d.wav')"
res=$("$CS" --db "$DB" search --bpm 122.5 --delta 2.5 --n-sections 3)
check search_inclusive_bound test "$(echo "$res" | head -1)" = "/music/A Track.wav"
# --key gm matches a (Gm), b (Gm from Rekordbox) and d (6A in the JSON)
res=$("$CS" --db "$DB" search --bpm-min 100 --key gm --n-sections 1)
check search_key_any_notation test "$res" = "$(printf '/music/A Track.wav\n/music/Café Noir.wav\n/music/d.wav')"
res=$("$CS" --db "$DB" search --bpm-max 100 --n-sections 1)
check search_bpm_max_only test "$res" = "/music/c.wav"
# n-sections: a has 5 after the intro (verse chorus verse chorus end)
check n_sections_5 test "$("$CS" --db "$DB" search --bpm 120 --delta 0 --n-sections 5)" = "/music/A Track.wav"
check n_sections_6_drops test -z "$("$CS" --db "$DB" search --bpm 120 --delta 0 --n-sections 6)"
# cues: b has intro, intro (0-10, 10-20, 20-30): ini 30; 3rd section after is bridge 50-60
csv=$("$CS" --db "$DB" search --bpm 122.5 --delta 0 --n-sections 3 --format csv)
check csv_header test "$(echo "$csv" | head -1)" = "path,bpm,key,ini_cue,begin_cue,end_cue,audio_path,struct_path,source,title,artist,energy"
check csv_cues grep -q '^/music/Café Noir.wav,122.5,Gm,30.0,50.0,60.0,' <<<"$csv" || echo "$csv"
json=$("$CS" --db "$DB" search --bpm 122.5 --delta 0 --n-sections 3 --format json)
check json_parses python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[0]["end_cue"]==60 and d[0]["key"]=="Gm"' <<<"$json"
check table_has_header grep -q "BPM" <<<"$("$CS" --db "$DB" search --format table)"

# incremental: nothing changed -> all unchanged; touch one; remove one
out=$("$CS" --db "$DB" index "$S" --rekordbox-xml "$T/rb.xml" 2>/dev/null)
check reindex_unchanged grep -q "indexed 0, unchanged 5" <<<"$out"
check reindex_rb_unchanged grep -q "rekordbox unchanged" <<<"$out"
sleep 0.01; struct a "/music/A Track.wav" 119 Gm start intro verse chorus verse chorus end
rm "$S/c.json"
out=$("$CS" --db "$DB" index "$S" 2>/dev/null)
check reindex_changed grep -q "indexed 1, unchanged 3, removed 1, failed 2" <<<"$out"
# the two bad files must not have touched their neighbours' rows
check bad_files_harmless test "$(q "SELECT COUNT(*) FROM tracks")" -eq 4
check changed_value test "$(q "SELECT json_bpm FROM tracks WHERE struct_path LIKE '%/a.json'")" = "119.0"

# bad input
"$CS" --db "$DB" index "$T/nope" 2>"$T/err"; rc=$?
check missing_dir_exit test $rc -eq 1
check missing_dir_line grep -q "nope: No such file or directory" "$T/err"
check missing_dir_one_error test "$(grep -c 'error' "$T/err")" -le 2
"$CS" --db "$DB" index "$S" --rekordbox-xml "$T/missing.xml" >/dev/null 2>"$T/err"; rc=$?
check missing_xml_rest_indexed test $rc -eq 0
check missing_xml_named grep -q "missing.xml" "$T/err"
cat > "$T/bomb.xml" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<DJ_PLAYLISTS><COLLECTION><TRACK TrackID="1" Name="&lol9;" Location="file://localhost/x.wav"/></COLLECTION></DJ_PLAYLISTS>
EOF
t0=$(date +%s)
timeout 20 "$CS" --db "$T/bomb.db" index --rekordbox-xml "$T/bomb.xml" >/dev/null 2>"$T/err"; rc=$?
check bomb_fast test $(( $(date +%s) - t0 )) -lt 10
check bomb_no_crash test $rc -le 1
check bomb_no_expansion test "$(sqlite3 "$T/bomb.db" "SELECT COALESCE(MAX(length(name)),0) FROM rb_tracks" 2>/dev/null || echo 0)" -lt 1000
cat > "$T/xxe.xml" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<DJ_PLAYLISTS><COLLECTION><TRACK TrackID="1" Name="&xxe;" Location="file://localhost/x.wav"/></COLLECTION></DJ_PLAYLISTS>
EOF
"$CS" --db "$T/xxe.db" index --rekordbox-xml "$T/xxe.xml" >/dev/null 2>&1
check xxe_not_loaded test -z "$(sqlite3 "$T/xxe.db" "SELECT name FROM rb_tracks WHERE name LIKE '%root:%'" 2>/dev/null)"
"$CS" --db "$DB" search --bpm 0 2>"$T/err"; rc=$?
check zero_bpm_usage test $rc -eq 2
check zero_bpm_line grep -q "not a usable BPM" "$T/err"
"$CS" --db "$DB" search --bpm abc 2>"$T/err"; rc=$?
check nonnumeric_bpm_usage test $rc -eq 2
"$CS" --db "$T/none.db" search --bpm 120 2>"$T/err"; rc=$?
check search_without_library test $rc -eq 1

# the real files: every allin1 JSON and every Rekordbox XML
if [ -n "${CS_REALDATA:-}" ]; then
    RD=$CS_REALDATA
    out=$("$CS" --db "$T/real.db" index "$RD/allin1" 2>"$T/err"); rc=$?
    check real_allin1_exit test $rc -eq 0
    n=$(ls "$RD"/allin1/*.json | wc -l)
    got=$(sqlite3 "$T/real.db" "SELECT COUNT(*) FROM tracks")
    failed=$(sed -n 's/.*failed \([0-9]*\);.*/\1/p' <<<"$out")
    check real_allin1_all_accounted test $((got + failed)) -eq "$n"
    check real_allin1_most_indexed test "$got" -ge $((n - 1))
    check real_operator_beats test "$(sqlite3 "$T/real.db" "SELECT n_beats FROM tracks WHERE struct_path LIKE '%Operator%'")" = 1177
    for x in "$RD"/rekordbox/*.xml; do
        name=$(basename "$x" .xml)
        out=$("$CS" --db "$T/rb-$name.db" index --rekordbox-xml "$x" 2>"$T/err"); rc=$?
        entries=$(python3 -c 'import sys, xml.etree.ElementTree as E; print(len(E.parse(sys.argv[1]).findall("./COLLECTION/TRACK")))' "$x")
        got=$(sqlite3 "$T/rb-$name.db" "SELECT COUNT(*) FROM rb_tracks")
        check "real_rb_${name:0:30}" test $rc -eq 0 -a "$got" -eq "$entries"
    done
    got=$(sqlite3 "$T/rb-interfluve-wav__rekordbox-smart-mcp__rekordbox.db" \
          "SELECT COUNT(*) FROM rb_tracks WHERE path LIKE '%H4RDG#OOVE%'")
    check real_rb_hash_literal test "$got" -ge 1
    # A struct + the real collection together: search with a Camelot key
    out=$("$CS" --db "$T/real.db" index --rekordbox-xml "$RD/rekordbox/interfluve-wav__rekordbox-smart-mcp__rekordbox.xml" 2>/dev/null)
    check real_combined_index grep -q "rekordbox 473 tracks" <<<"$out"
else
    skip realdata "CS_REALDATA not found"
fi

# kill -9 in the middle of a large index, then re-run: consistent and complete
mkdir -p "$T/big"
for i in $(seq 1 1500); do
    printf '{"path": "/m/%d.wav", "bpm": 120, "beats": [%s], "segments": [{"start":0,"end":10,"label":"intro"},{"start":10,"end":20,"label":"verse"}]}\n' \
        "$i" "$(seq -s, 1 300)" > "$T/big/$i.json"
done
"$CS_REL" --db "$T/kill.db" index "$T/big" >/dev/null 2>&1 &
pid=$!
sleep 0.15
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
check killed_integrity test "$(sqlite3 "$T/kill.db" "PRAGMA integrity_check" 2>/dev/null || echo ok)" = ok
n=$(sqlite3 "$T/kill.db" "SELECT COUNT(*) FROM tracks" 2>/dev/null || echo 0)
check killed_all_or_nothing test "$n" -eq 0 -o "$n" -eq 1500
out=$("$CS_REL" --db "$T/kill.db" index "$T/big" 2>&1)
check killed_rerun_complete test "$(sqlite3 "$T/kill.db" "SELECT COUNT(*) FROM tracks")" -eq 1500
