# Helpers for e2e scripts: source it, then call `check NAME CMD...` or
# `pass NAME` / `fail NAME WHY` / `skip NAME WHY`.  Each prints one line that
# tests/run.sh counts.  $CS is the sanitizer build of cs, $T a fresh temp dir.
set -u
CS=${CS_BIN:-$CS_ROOT/build/san/cs}
CS_REL=${CS_REL_BIN:-$CS_ROOT/build/rel/cs}
TOOLS=${CS_TOOLS:-$CS_ROOT/build/rel/tools}
T=$(mktemp -d /tmp/cs-e2e-XXXXXX)
trap 'rm -rf "$T"' EXIT
_script=$(basename "$0" .sh)
pass() { echo "PASS $_script:$1"; }
fail() { echo "FAIL $_script:$1: $2"; }
skip() { echo "SKIP $_script:$1: $2"; }
check() {   # check NAME CMD... : passes when CMD exits 0
    local name=$1; shift
    if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}
# near A B EPS: true when |A-B| <= EPS
near() { awk -v a="$1" -v b="$2" -v e="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= e) }'; }
# sox dithers whatever it writes at 16 bits, from a time seed: without -R
# (repeatable) every run would test a different fixture.
sox() { command sox -R "$@"; }
# ladder_set_fixture: the demo library in $T/lib indexed into $CS_DB, and two
# Gm tracks (one tone, 196 Hz) exported as a ladder 114:130:4 (rungs 4 BPM
# apart keep the rate within ±2%) into $T/parts, CSV $T/set.csv.  Reports
# `FAIL setup` and returns 1 when a step fails.
ladder_set_fixture() {
    "$CS_REL" demo "$T/lib" --tracks 8 --bars 2 >/dev/null || { fail setup "cs demo"; return 1; }
    "$CS_REL" index "$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" >/dev/null 2>&1
    (cd "$T" && "$CS_REL" export --bpm 122.5 --delta 2 --key Gm --n-sections 3 --ladder 114:130:4 \
        --stretch rubberband --quality fast --csv-out set.csv --parts-dir parts -j 2 --no-progress) \
        >"$T/export.log" 2>&1 || { fail setup "cs export: $(tail -2 "$T/export.log")"; return 1; }
}
# formats_fixture DIR: the demo library (2 tracks, 4 bars) in $T/lib and its
# first track in DIR as t_wav.wav, t_flac.flac, t_m4a.m4a, t_lame.mp3 and
# t_nolame.mp3 (no LAME header: its decoder delay stays in), the DJ-library
# scripts' audio.  Reports `FAIL setup` (or SKIP without ffmpeg) and returns
# 1 when it cannot.
formats_fixture() {
    "$CS_REL" demo "$T/lib" --tracks 2 --bars 4 >/dev/null || { fail setup "cs demo"; return 1; }
    command -v ffmpeg >/dev/null || { skip "$_script" "ffmpeg not installed"; return 1; }
    mkdir -p "$1"
    local src
    src=$(ls "$T/lib/audio/"*.wav | head -1)
    cp "$src" "$1/t_wav.wav"
    _enc() { ffmpeg -v error -y -i "$src" "$@" </dev/null; }
    _enc -c:a flac "$1/t_flac.flac" && _enc -c:a aac -b:a 192k "$1/t_m4a.m4a" &&
        _enc -c:a libmp3lame -b:a 192k "$1/t_lame.mp3" &&
        _enc -c:a libmp3lame -b:a 192k -write_xing 0 "$1/t_nolame.mp3" ||
        { fail setup "ffmpeg could not encode the formats"; return 1; }
}
# parts_on_beat NAME N_SECTIONS [SELECTED [CHECKED [SKIP]]]: `cs export`s the
# library in $CS_DB (every track, N_SECTIONS sections) into $T/parts and
# checks that SELECTED tracks (default 6) were selected and that the parts
# of CHECKED of them (default SELECTED) start on the beat: the first onset
# within 5 ms of the part's start, every beat of the grid within 5 ms
# (audiocheck).  SKIP: a shell pattern of part names left unchecked (tracks
# whose grids are gone or invented).  NAME: the check that every track was
# selected.
parts_on_beat() {
    local AC=$TOOLS/audiocheck n=0 part bpm name first sel=${3:-6}
    local want=${4:-$sel} skip=${5:-}
    "$CS_REL" export --bpm-min 1 --n-sections "$2" --csv-out "$T/x.csv" --parts-dir "$T/parts" \
        --no-progress >"$T/exp.out" 2>&1
    check "$1" grep -q "^export: $sel tracks selected" "$T/exp.out"
    sed 's/^/  /' "$T/exp.out"
    python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")): print(r["part_file_orig"] + "\t" + r["bpm"])' "$T/x.csv" >"$T/parts.txt"
    while IFS=$'\t' read -r part bpm; do
        name=$(basename "$part" _sectioned.wav)
        # shellcheck disable=SC2254
        [ -n "$skip" ] && case $name in $skip) continue ;; esac
        n=$((n + 1))
        first=$("$AC" onsets "$part" | head -1)
        "$AC" grid "$part" --bpm "$bpm" --first 0 >"$T/grid"
        echo "  $name: first onset ${first}s, $(tr '\n' ' ' <"$T/grid")"
        check "first_beat_within_5ms_$name" awk -v f="$first" 'BEGIN { exit !(f != "" && f < 0.005) }'
        check "beats_within_5ms_$name" awk '$1 == "max_ms" { exit !($2 < 5) }' "$T/grid"
    done <"$T/parts.txt"
    check parts_checked [ $n -eq "$want" ]
}

# solo_loudness LOG WAV DURATION: each track's loudness where it plays alone
# in a rendered ladder set, measured by FFmpeg's ebur128 filter
# (tests/tools/solo_loudness.py says what is printed).
solo_loudness() {
    ffmpeg -nostdin -nostats -hide_banner -i "$2" -af ebur128=peak=true -f null - 2>"$2.ebur" \
        && python3 "$CS_ROOT/tests/tools/solo_loudness.py" "$1" "$2.ebur" "$3"
}
