#!/usr/bin/env bash
# Loudness on real music (issue 19): five ProTracker modules of Debian's
# tecnoballz-data, cs analyze -> index -> export --set (two sections each)
# -> play --set --loop-set for 4 minutes with the tempo moving (125, 129,
# 121 BPM), measured by FFmpeg's ebur128 filter where each track plays alone
# (tests/tools/solo_loudness.py): the tracks' solo loudness within 1 LU of
# each other, no fade louder than its louder solo by more than 1.5 dB, the
# true peak at or under -1 dBTP.  The same set without its
# parts' loudness slices (gained by each part's integrated loudness, as
# before the slices) and with --loudness off are measured too: the first
# must spread more than the slices do, the second more than 2 LU (these
# modules' own levels), so the check can fail.
. "$(dirname "$0")/lib.sh"
MODS=/usr/share/games/tecnoballz/musics
[ -d "$MODS" ] || { skip all "tecnoballz-data not installed (scripts/install-deps.sh installs it)"; exit 0; }
command -v ffmpeg >/dev/null || { skip all "no ffmpeg"; exit 0; }
export CS_DB=$T/db
mkdir -p "$T/mods"
for m in area1-game area3-game area4-game high-score over-theme; do cp "$MODS/$m.mod" "$T/mods/"; done
"$CS_REL" analyze "$T/mods" --out "$T/st" -j 2 >"$T/analyze.log" 2>&1 || { fail setup "cs analyze: $(tail -2 "$T/analyze.log")"; exit 0; }
"$CS_REL" index "$T/st" >/dev/null 2>&1
"$CS_REL" export --bpm 125 --delta 10 --n-sections 2 --ladder 117:133:4 --stretch rate --set "$T/set" -j 2 \
    --no-progress >"$T/export.log" 2>&1 || { fail setup "cs export: $(tail -2 "$T/export.log")"; exit 0; }
cat >"$T/tempo.osc" <<'OSC'
0 /set_tempo f 125
60 /set_tempo f 129
120 /set_tempo f 121
OSC
# render NAME SETDIR [ARGS]: a 240 s render, its solo loudness in $T/NAME.m
render() {
    (cd / && "$CS_REL" --db "$T/none.db" play --set "$2" --order csv --loop-set --render "$T/$1.wav" \
        --duration 240 --osc-script "$T/tempo.osc" "${@:3}") 2>"$T/$1.log" \
        || { fail "play_$1" "$(tail -2 "$T/$1.log")"; return 1; }
    solo_loudness "$T/$1.log" "$T/$1.wav" 240 >"$T/$1.m"
}
render on "$T/set" || exit 0
read -r ntr spread rise tp lo hi each <"$T/on.m"
echo "# slices: $ntr tracks in, solo loudness $lo .. $hi LUFS: spread $spread LU, true peak $tp dBTP ($each)"
if [ "${ntr:-0}" -ge 10 ] && near "$spread" 0 1.0; then pass spread_1lu_real
else fail spread_1lu_real "$ntr tracks, spread $spread LU ($each)"; fi
awk -v p="$tp" 'BEGIN { exit !(p <= -1.0) }' && pass true_peak_real || fail true_peak_real "$tp dBTP"
# No crossfade raises the level more than 1.5 dB: each fade's energy-mean
# loudness against the louder of its two solos (the largest momentary
# block, $rise dB, also counts the music's own peaks).
read -r _ flevel nfades < <(sed -n 2p "$T/on.m")
echo "# fades: $nfades measured, the loudest $flevel dB over its louder solo (largest momentary rise $rise dB)"
if [ "${nfades:-0}" -ge 10 ] && awk -v f="$flevel" 'BEGIN { exit !(f <= 1.5) }'; then pass fade_level_real
else fail fade_level_real "$nfades fades, the loudest $flevel dB over its solo"; fi

# Without the slices: each part gained by its integrated loudness.
cp -r "$T/set" "$T/noslice"
python3 - "$T/noslice" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + "/set.json"))
for t in m["tracks"]:
    for p in t["parts"] + [t["orig"]]: p.pop("loudness_slices", None)
json.dump(m, open(sys.argv[1] + "/set.json", "w"))
PY
render int "$T/noslice" || exit 0
read -r _ spread_i _ _ lo_i hi_i _ <"$T/int.m"
echo "# integrated loudness only: solo loudness $lo_i .. $hi_i LUFS: spread $spread_i LU"
awk -v a="$spread" -v b="$spread_i" 'BEGIN { exit !(a < b) }' && pass slices_beat_integrated \
    || fail slices_beat_integrated "slices $spread LU, integrated $spread_i LU"
render off "$T/set" --loudness off || exit 0
read -r _ spread_o _ _ lo_o hi_o _ <"$T/off.m"
echo "# --loudness off: solo loudness $lo_o .. $hi_o LUFS: spread $spread_o LU"
awk -v s="$spread_o" 'BEGIN { exit !(s > 2) }' && pass off_spreads || fail off_spreads "$spread_o LU"
