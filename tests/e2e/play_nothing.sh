#!/usr/bin/env bash
# cs play with nothing to play (issue 12, "silent results become loud"): a
# ladder set from the selection, an export CSV or a set folder that ends up
# with no playable track says why in ONE error line without -v (counts per
# reason; the selection's part is the very line `cs search` prints, from the
# same code) and exits 1.  Kinds: nothing selected (key, BPM, too few
# sections), selected but nothing rendered, CSV rows unusable, a set folder
# whose parts are gone.
. "$(dirname "$0")/lib.sh"
export CS_DB=$T/db

"$CS_REL" demo "$T/lib" --tracks 6 --bars 2 >/dev/null || { fail setup "cs demo"; exit 0; }
"$CS_REL" index "$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" >/dev/null 2>&1 ||
    { fail setup "cs index"; exit 0; }
n_lib=$(sqlite3 "$T/db" "SELECT count(*) FROM library")
[ "$n_lib" -eq 6 ] || { fail setup "library has $n_lib tracks, not 6"; exit 0; }

# play_empty NAME WANT_REGEX ARGS...: exit 1, exactly one error line (the
# only stderr line carrying 'cs: error'), matching WANT_REGEX.
play_empty() {
    local name=$1 want=$2; shift 2
    "$CS" play "$@" --render "$T/out.wav" --duration 1 >"$T/$name.out" 2>"$T/$name.err"
    local rc=$?
    local errs; errs=$(grep -c '^cs: error:' "$T/$name.err")
    if [ $rc -ne 1 ]; then fail "$name" "exit $rc, not 1: $(tail -1 "$T/$name.err")"
    elif [ "$errs" -ne 1 ]; then fail "$name" "$errs error lines: $(cat "$T/$name.err")"
    elif ! grep -Eq "$want" "$T/$name.err"; then fail "$name" "no '$want' in: $(grep '^cs: error:' "$T/$name.err")"
    else pass "$name"; fi
}
# search_why ARGS...: the reason line cs search gives for the same selection.
search_why() { "$CS" search "$@" 2>&1 >/dev/null | sed -n 's/^cs: warning: search: no track selected: //p'; }

# ---- nothing selected: the counts are the library's, as search says them --
# A key no demo track has (Ebm): every track is "key not asked for".
why=$(search_why --key Ebm)
play_empty sel_key "^cs: error: play: the selection: nothing to play: 6 in the library, 0 selected; left out: 6 key not asked for$" --key Ebm
check sel_key_same_line_as_search grep -qF "nothing to play: $why" "$T/sel_key.err"
# With a selection flag, --bpm is also its centre: 200 +- 2 holds no demo track.
play_empty sel_bpm "nothing to play: 6 in the library, 0 selected; left out: 6 BPM outside the range$" --bpm 200 --n-sections 3
# More sections than --bars 2 gives (the extra input of the kind).
why=$(search_why --n-sections 40)
play_empty sel_sections "nothing to play: 6 in the library, 0 selected; left out: 6 too few sections after the intro \(need 40\)$" --n-sections 40
check sel_sections_same_line_as_search grep -qF "nothing to play: $why" "$T/sel_sections.err"

# ---- selected, but nothing rendered for it --------------------------------
n_gm=$("$CS" search --key Gm --n-sections 3 | wc -l)
[ "$n_gm" -ge 1 ] || fail setup "no Gm track with 3 sections in the demo"
play_empty sel_not_rendered \
    "nothing to play: 6 in the library, $n_gm selected; left out: $((6 - n_gm)) key not asked for; $n_gm tracks? listed, 0 playable; left out: $n_gm with no rendered part" \
    --key Gm --n-sections 3

# ---- an export CSV with nothing usable in it ------------------------------
printf 'path,bpm,target_bpm,part_file\r\n' >"$T/header_only.csv"
play_empty csv_header_only "play: .*header_only.csv: nothing to play: 0 tracks listed, 0 playable$" --csv "$T/header_only.csv"
printf 'path,bpm,target_bpm,part_file\na.wav,120,120,\nb.wav,x,120,b.wav\nc.wav,120,120,gone_c.wav\nd.wav,120,118,gone_d.wav\n' >"$T/gone.csv"
play_empty csv_rows_and_parts \
    "gone.csv: nothing to play: 2 tracks listed, 0 playable; left out: 2 with every part missing or undecodable \(named above\); 2 CSV rows skipped" \
    --csv "$T/gone.csv"

# ---- a set folder whose parts are gone ------------------------------------
(cd "$T" && "$CS_REL" export --key Gm --n-sections 3 --ladder 118:126:4 --stretch rate --set set -j 2 \
    --no-progress) >"$T/export.log" 2>&1 || fail setup "cs export: $(tail -1 "$T/export.log")"
n_set=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["tracks"]))' "$T/set/set.json")
"$CS" play --set "$T/set" --render "$T/ok.wav" --duration 1 >/dev/null 2>&1
check set_plays_when_whole [ $? -eq 0 ]
find "$T/set" -name '*_sectioned.wav' -delete
play_empty set_parts_gone "set: nothing to play: $n_set tracks? listed, 0 playable; left out: $n_set with every part missing or undecodable" \
    --set "$T/set"
