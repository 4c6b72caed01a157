# e2e (issue 12, "silent results become loud" and the library views): empty
# results say why and exit as documented; unparseable --key is a usage error;
# tracks without BPM are warned about; export --audio-dir sticks; cs search
# title/artist, --sort, --key-notation; cs ls.  Fixtures from `cs demo`.
. "$(dirname "$0")/lib.sh"

D=$T/demo
"$CS" demo "$D" --tracks 3 --bars 1 >/dev/null 2>&1 || { fail demo "cs demo failed"; exit 0; }
DB=$T/lib.db
ONE_LINE() { [ "$(wc -l <"$1")" -eq 1 ]; }

# ---- index: nothing to do exits 1 with a reason; unchanged XML keeps its counts
mkdir -p "$T/empty"
"$CS" --db "$T/e.db" index "$T/empty" >/dev/null 2>"$T/err"; rc=$?
check index_empty_exit1 test $rc -eq 1
check index_empty_says_why grep -q "empty: no struct file (\*.json)" "$T/err"
mkdir -p "$T/bad"; printf '{"path": ' > "$T/bad/x.json"; printf '[]' > "$T/bad/y.json"
"$CS" --db "$T/b.db" index "$T/bad" >/dev/null 2>"$T/err"; rc=$?
check index_unreadable_exit1 test $rc -eq 1
check index_unreadable_says_why grep -q "none of its 2 struct files could be read" "$T/err"

out1=$("$CS" --db "$DB" index "$D/struct" --rekordbox-xml "$D/rekordbox.xml" 2>/dev/null)
n_rb=$(grep -c "<TRACK TrackID" "$D/rekordbox.xml")
out2=$("$CS" --db "$DB" index "$D/struct" --rekordbox-xml "$D/rekordbox.xml" 2>/dev/null)
pl=$(sed -n 's/.*rekordbox [0-9]* tracks, \([0-9]*\) playlists.*/\1/p' <<<"$out1")
check reindex_first_counts grep -q "rekordbox $n_rb tracks, $pl playlists" <<<"$out1"
check reindex_unchanged_counts grep -q "rekordbox unchanged ($n_rb tracks, $pl playlists)" <<<"$out2"

# ---- --key that is no key: usage error naming it (search, export, ls)
for k in Gn Gmm H "Am,Xm7"; do
    bad=${k#Am,}
    for c in search export ls; do
        extra=(); [ $c = export ] && extra=(--parts-dir "$T/p0")
        "$CS" --db "$DB" $c --key "$k" "${extra[@]}" >/dev/null 2>"$T/err"; rc=$?
        if [ $rc -eq 2 ] && grep -q "^cs: error: $c: --key: '$bad' is not a key" "$T/err" && ONE_LINE "$T/err"
        then pass "bad_key_${c}_$bad"; else fail "bad_key_${c}_$bad" "rc $rc: $(cat "$T/err")"; fi
    done
done
"$CS" --db "$DB" search --key "6a, g minor,11m" >/dev/null 2>"$T/err"
check good_keys_accepted test $? -eq 0

# ---- an empty selection says why without -v (counts per reason)
"$CS" --db "$DB" search --n-sections 50 >"$T/out" 2>"$T/err"; rc=$?
check search_empty_exit0 test $rc -eq 0
check search_empty_why grep -q "no track selected: 3 in the library, 0 selected; left out: 3 too few sections after the intro (need 50)" "$T/err"
"$CS" --db "$DB" search --bpm 200 >/dev/null 2>"$T/err"
check search_bpm_out_why grep -q "left out: 3 BPM outside the range" "$T/err"
"$CS" --db "$DB" export --bpm 200 --parts-dir "$T/p0" >"$T/out" 2>"$T/err"; rc=$?
check export_empty_exit1 test $rc -eq 1
check export_empty_why grep -q "cs: error: export: no track selected: 3 in the library, 0 selected; left out: 3 BPM outside" "$T/err"
check export_no_csv_claim_empty sh -c "! grep -q 'csv rows' '$T/out'"
# a struct without an intro, one with bpm 0, one with bpm null (no XML: no override)
S2=$T/s2; mkdir -p "$S2"
f1=$(ls "$D"/struct/*.json | head -1)
sed 's/"intro"/"verse"/g' "$f1" > "$S2/nointro.json"
sed 's/"bpm": [0-9.]*/"bpm": 0/' "$f1" | sed 's/"path": "[^"]*"/"path": "\/x\/zero.wav"/' > "$S2/zero.json"
sed 's/"bpm": [0-9.]*/"bpm": null/' "$f1" | sed 's/"path": "[^"]*"/"path": "\/x\/null.wav"/' > "$S2/null.json"
"$CS" --db "$T/s2.db" index "$S2" >"$T/out" 2>"$T/err"; rc=$?
check nobpm_indexed_exit0 test $rc -eq 0
check nobpm_index_warns grep -q "warning: index: 2 tracks without a BPM" "$T/err"
check nobpm_index_summary grep -q "no BPM 2" "$T/out"
"$CS" --db "$T/s2.db" search >/dev/null 2>"$T/err"
check nobpm_search_why grep -q "3 in the library, 0 selected; left out: 1 no intro segment, 2 no BPM" "$T/err"
"$CS" --db "$T/s2.db" ls >"$T/out" 2>&1
check ls_nobpm grep -c "^left out: no BPM .*/x/zero.wav\|^left out: no BPM .*/x/null.wav" "$T/out"
check ls_nobpm_two test "$(grep -c '^left out: no BPM' "$T/out")" -eq 2
check ls_nointro grep -q "^left out: no intro" "$T/out"

# ---- every selected track skipped: exit 1, reason, no csv claim
A2=$T/a2; cp -r "$D" "$A2"; mv "$A2/audio" "$T/moved"
sed -i "s#$D/audio#/nowhere#g" "$A2"/struct/*.json
"$CS" --db "$T/a2.db" index "$A2/struct" >/dev/null 2>&1
"$CS" --db "$T/a2.db" export --bpm 122 --stretch rate --parts-dir "$T/p2" --no-progress >"$T/out" 2>"$T/err"; rc=$?
check skipped_all_exit1 test $rc -eq 1
check skipped_all_says grep -q "all 3 selected tracks were skipped" "$T/err"
check skipped_no_csv_claim sh -c "! grep -q 'csv rows' '$T/out'"
# --audio-dir given to export sticks: search finds the audio afterwards
"$CS" --db "$T/a2.db" export --bpm 122 --stretch rate --parts-dir "$T/p2" --no-progress \
    --audio-dir "$T/moved" --csv-out "$T/x.csv" >"$T/out" 2>"$T/err"; rc=$?
check audio_dir_export_ok test $rc -eq 0
check csv_rows_claimed grep -q "; 3 csv rows in $T/x.csv" "$T/out"
check csv_rows_real test "$(($(wc -l <"$T/x.csv") - 1))" -eq 3
"$CS" --db "$T/a2.db" search --format json >"$T/j" 2>/dev/null
check audio_dir_remembered test "$(grep -c "\"audio_path\":.*$T/moved/" "$T/j")" -eq 3

# ---- search: title/artist, --sort, --key-notation
"$CS" --db "$DB" search --format json >"$T/j"
for name in $(grep -o 'Name="Demo [0-9]*' "$D/rekordbox.xml" | cut -d'"' -f2 | tr ' ' '_'); do
    n=${name//_/ }
    if grep -q "\"title\":.*\"$n" "$T/j"; then pass "title_${name}"; else fail "title_${name}" "no title $n"; fi
done
artist=$(grep -o 'Artist="[^"]*"' "$D/rekordbox.xml" | head -1 | cut -d'"' -f2)
check artist_shown grep -q "\"artist\":.*\"$artist\"" "$T/j"
"$CS" --db "$DB" search --format table >"$T/t"
check table_has_title grep -q "$artist - Demo 01" "$T/t"
# table columns: BPM KEY INI_CUE BEGIN END TRACK... PATH
col() { "$CS" --db "$DB" search --format table "$@" | awk 'NR > 1 { print $N }' N="$COLN"; }
COLN=1 col --sort bpm >"$T/b"
check sort_bpm sort -c -g "$T/b"
check sort_bpm_rows test "$(wc -l <"$T/b")" -eq 3
check sort_bpm_not_path_order sh -c "! '$CS' --db '$DB' search --format table | awk 'NR > 1 { print \$1 }' | sort -c -g 2>/dev/null"
keys() { COLN=2 col --key-notation "$1" --sort "${2:-path}"; }
if [ "$(keys camelot | grep -cx '[0-9][0-9]*[AB]')" -eq 3 ]; then pass camelot_notation; else fail camelot_notation "$(keys camelot)"; fi
if [ "$(keys openkey | grep -cx '[0-9][0-9]*[md]')" -eq 3 ]; then pass openkey_notation; else fail openkey_notation "$(keys openkey)"; fi
if [ "$(keys classic | grep -cx '[A-G][b#]*m*')" -eq 3 ]; then pass classic_notation; else fail classic_notation "$(keys classic)"; fi
# The demo's first track is Gm (6A, Open Key 11m); its second is tagged 5A
# in the XML (Cm, Open Key 10m).
check gm_camelot test "$(keys camelot | head -1)" = 6A
check gm_openkey test "$(keys openkey | head -1)" = 11m
grep -q 'Name="Demo 02[^>]*Tonality="5A"' "$D/rekordbox.xml" && {
    check 5a_classic test "$(keys classic | sed -n 2p)" = Cm
    check 5a_openkey test "$(keys openkey | sed -n 2p)" = 10m
}
keys camelot key | sed 's/[AB]$//' >"$T/k"
check sort_key sort -c -n "$T/k"
check sort_key_rows test "$(wc -l <"$T/k")" -eq 3
keys camelot path | sed 's/[AB]$//' >"$T/k0"
check sort_key_not_path_order sh -c "! sort -c -n '$T/k0' 2>/dev/null"

# ---- cs ls: what is rendered
"$CS" --db "$T/a2.db" ls >"$T/out" 2>&1
check ls_rendered test "$(grep -c '^selected .* 122 +orig ' "$T/out")" -eq 3
check ls_summary grep -q "3 in the library, 3 selected; rendered 3 parts for 3 tracks" "$T/out"
rm -f "$T"/p2/*.wav
"$CS" --db "$T/a2.db" ls >"$T/out" 2>&1
check ls_missing grep -q "3 recorded parts missing" "$T/out"
exit 0
