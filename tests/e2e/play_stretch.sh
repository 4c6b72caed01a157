#!/usr/bin/env bash
# cs play --stretch-method rubberband|wsola: the live master stretcher heard
# through --render (same worker code, run synchronously).  /set_tempo 132 on
# base 120 must keep a 440 Hz tone at 440 Hz (+-0.5 %) while a click track's
# onset spacing shrinks by 120/132 (+-1 %), with no gaps (runs of zeros);
# playback_rate still shifts the pitch; --disable-time-stretch holds tempo.
. "$(dirname "$0")/lib.sh"
command -v sox >/dev/null || { skip all "sox not installed"; exit 0; }
AC=$TOOLS/audiocheck
[ -x "$AC" ] || { skip all "audiocheck not built ($AC)"; exit 0; }

sox -n -r 44100 -c 2 -b 16 "$T/s440.wav" synth 5 sine 440 vol 0.5
sox -n -r 44100 -c 2 -b 16 "$T/click1.wav" synth 0.003 sine 2000 vol 0.8 pad 0 0.497
sox "$T/click1.wav" "$T/clicks.wav" repeat 23          # 12 s of clicks at 120 BPM
cat >"$T/tone.osc" <<EOF
0 /load_buffer is 100 $T/s440.wav
0 /play_stem i 100
1 /set_tempo f 132
EOF
cat >"$T/click.osc" <<EOF
0 /load_buffer is 100 $T/clicks.wav
0 /play_stem i 100
0 /set_tempo f 132
EOF
render() {   # render OUT DURATION SCRIPT [options]
    local out=$1 dur=$2 script=$3; shift 3
    "$CS" play --render "$out" --duration "$dur" --osc-script "$script" "$@" >"$out.log" 2>&1
}
# Onset spacing by least squares over every onset, each numbered by how many
# beats it lies after the previous one (its interval over the median
# interval, rounded): Rubber Band's short window leaves single clicks 7 to
# 13 dB down, so the detector may miss one, and a missed click must not
# shift the numbering of the rest.  Numbering starts at the first onset
# whose next interval is about the median; an onset off the grid (more than
# 0.3 beat) is left out.  Prints: spacing, onsets used, beats spanned
# (0 0 0 when fewer than 3 onsets fit a grid).
spacing() { "$AC" onsets "$1" | awk '{ x[n++] = $1 } END {
    if (n < 3) { print 0, n, 0; exit }
    for (i = 1; i < n; i++) d[i - 1] = x[i] - x[i - 1];
    for (i = 0; i < n - 1; i++) for (j = i + 1; j < n - 1; j++) if (d[j] < d[i]) { t = d[i]; d[i] = d[j]; d[j] = t }
    m = (n % 2) ? (d[(n - 1) / 2 - 1] + d[(n - 1) / 2]) / 2 : d[(n - 2) / 2];
    for (s = 0; s < n - 1; s++) { r = (x[s + 1] - x[s]) / m; if (r > 0.7 && r < 1.3) break }
    k = 0; b[0] = 0; y[0] = x[s]; p = x[s];
    for (i = s + 1; i < n; i++) {
        r = (x[i] - p) / m; q = int(r + 0.5);
        if (q < 1 || r - q > 0.3 || q - r > 0.3) continue;
        k++; b[k] = b[k - 1] + q; y[k] = x[i]; p = x[i]
    }
    k++;
    if (k < 3) { print 0, 0, 0; exit }
    for (i = 0; i < k; i++) { mb += b[i]; my += y[i] } mb /= k; my /= k;
    for (i = 0; i < k; i++) { sxy += (b[i] - mb) * (y[i] - my); sxx += (b[i] - mb) ^ 2 }
    printf "%.6f %d %d\n", sxy / sxx, k, b[k - 1] }'; }
# Longest run of exact zeros (left channel) after the first sound.
zerorun() { python3 - "$1" <<'EOF'
import array, subprocess, sys
raw = subprocess.run(["sox", sys.argv[1], "-t", "f32", "-c", "1", "-"], capture_output=True, check=True).stdout
a = array.array("f"); a.frombytes(raw)
start = next((i for i, v in enumerate(a) if v != 0.0), len(a))
best = run = 0
for v in a[start:]:
    run = run + 1 if v == 0.0 else 0
    best = max(best, run)
print(best)
EOF
}

for m in rubberband wsola; do
    render "$T/tone_$m.wav" 3 "$T/tone.osc" --stretch-method $m
    h0=$("$AC" pitch "$T/tone_$m.wav" --start 0.2 --dur 0.7 | awk '{print $2}')
    h1=$("$AC" pitch "$T/tone_$m.wav" --start 1.5 --dur 1.4 | awk '{print $2}')
    z=$(zerorun "$T/tone_$m.wav")
    echo "$m: 440 Hz tone at 120 -> 132 BPM: $h0 -> $h1 Hz, longest zero run $z"
    if near "$h0" 440 2.2 && near "$h1" 440 2.2 && [ "$z" -lt 8 ]; then pass ${m}_keeps_pitch_no_gaps
    else fail ${m}_keeps_pitch_no_gaps "hz $h0 -> $h1 (want 440 +-0.5%), longest zero run $z"; fi
    grep -q "underruns: 0" "$T/tone_$m.wav.log" || fail ${m}_no_underruns "$(cat "$T/tone_$m.wav.log")"

    render "$T/click_$m.wav" 10 "$T/click.osc" --stretch-method $m
    read -r sp n nb < <(spacing "$T/click_$m.wav")
    want=$(awk 'BEGIN{printf "%.6f", 0.5*120/132}')
    echo "$m: click spacing $sp s over $n onsets spanning $nb beats (want $want)"
    near "$sp" "$want" "$(awk -v w="$want" 'BEGIN{print w*0.01}')" && [ "$n" -ge 19 ] && [ "$nb" -ge 20 ] \
        && pass ${m}_tempo_132 || fail ${m}_tempo_132 "onset spacing $sp over $n onsets spanning $nb beats, want $want +-1%"

    render "$T/click_${m}_off.wav" 6 "$T/click.osc" --stretch-method $m --disable-time-stretch
    read -r sp n nb < <(spacing "$T/click_${m}_off.wav")
    near "$sp" 0.5 0.005 && pass ${m}_disable_time_stretch || fail ${m}_disable_time_stretch "spacing $sp, want 0.5"
done

# The original names select the same methods.
render "$T/alias.wav" 1 "$T/tone.osc" --stretch-method pyrubberband
cmp -s -i 4096 -n 100000 "$T/alias.wav" "$T/tone_rubberband.wav" \
    && pass alias_pyrubberband || fail alias_pyrubberband "differs from rubberband: $(cat "$T/alias.wav.log")"

# playback_rate: pitch follows the tempo (132/120 -> 484 Hz).
render "$T/tone_rate.wav" 3 "$T/tone.osc"
h1=$("$AC" pitch "$T/tone_rate.wav" --start 1.5 --dur 1.4 | awk '{print $2}')
near "$h1" 484 2.4 && pass playback_rate_shifts_pitch || fail playback_rate_shifts_pitch "hz $h1, want 484"
