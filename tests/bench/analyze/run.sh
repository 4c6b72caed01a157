#!/usr/bin/env bash
# Benchmark: seconds of audio analysed per CPU second by `cs analyze` (one
# job, so CPU time is the work), beside `aubio tempo` on the same files in
# the same run.  Files: the demo's synthesised tracks and, when
# tecnoballz-data is installed, its ProTracker modules (real music).  Not
# part of pass/fail.
set -euo pipefail
cd "$(dirname "$0")/../../.."
CS=${CS:-build/rel/cs}
T=$(mktemp -d /tmp/cs-bench-analyze-XXXXXX)
trap 'rm -rf "$T"' EXIT
"$CS" demo "$T/lib" --tracks 6 --bars 4 >/dev/null
mkdir -p "$T/in"
cp "$T"/lib/audio/*.wav "$T/in/"
[ -d /usr/share/games/tecnoballz/musics ] && cp /usr/share/games/tecnoballz/musics/*.mod "$T/in/"
# Audio seconds: what FFmpeg decodes (a module's length as it plays).
secs=0
for f in "$T"/in/*; do
    d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f")
    secs=$(awk -v a="$secs" -v b="$d" 'BEGIN { print a + b }')
done
cpu() {   # user+sys seconds of a command
    /usr/bin/time -f "%U %S" -o "$T/time" "$@" >/dev/null 2>&1 || true
    awk '{ print $1 + $2 }' "$T/time"
}
n=$(ls "$T/in" | wc -l)
c_cs=$(cpu "$CS" analyze "$T/in" --out "$T/st" -j 1 --no-progress)
c_au=$(cpu bash -c 'for f in "$1"/in/*; do aubio tempo "$f"; done' _ "$T")
awk -v n="$n" -v s="$secs" -v a="$c_cs" -v b="$c_au" 'BEGIN {
    printf "files %d, audio %.0f s\n", n, s
    printf "cs analyze:  %6.1f CPU s  %7.1f audio s per CPU s (beats, bars, key, sections)\n", a, s / a
    printf "aubio tempo: %6.1f CPU s  %7.1f audio s per CPU s (tempo and beats only)\n", b, s / b
}'
