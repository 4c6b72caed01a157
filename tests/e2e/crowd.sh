#!/usr/bin/env bash
# Crowd-driven tempo on a ladder set: a small ladder exported here (R2,
# fast), played offline by `cs play --csv` under a scripted movement curve,
# /cs/next (once more during the fade it starts) and a /set_tempo jump; then the sound is checked against the
# controller's own trace: tempo within 0.5 BPM, beats within 5 ms of the grid
# at every rung switch and track change, the steady tone within the ±2% fine
# rate, no discontinuity beyond the material's own.  Plus: the library path
# (selection flags), a missing rung, a missing track, the end of the set.
. "$(dirname "$0")/lib.sh"
command -v sox >/dev/null || { skip all "sox not installed"; exit 0; }
AC=$TOOLS/audiocheck
[ -x "$AC" ] || { skip all "no $AC (make build/rel/tools/audiocheck)"; exit 0; }
export CS_DB=$T/db

ladder_set_fixture || exit 0

cat >"$T/crowd.osc" <<'OSC'
0 /dance/total_movement f 0.3
1 /dance/pose/person/0/keypoints fffffffffffffffffffffffffffffffffffffffffffffffffff 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51
1 /dance/arm_movement f 0.4
6 /dance/total_movement f 0.65
7 /dance/total_movement f 0.7
16 /dance/total_movement f 0.12
17 /dance/total_movement f 0.11
22 /cs/status
26 /dance/total_movement f 0.07
20.5 /cs/next
24 /cs/next
34 /set_tempo f 125
OSC
echo '{"movement_bpm":{"smoothing":{"transition_time_seconds":20}}}' >"$T/fast.json"
# From another folder: part_file paths resolve against the CSV's folder.
(cd / && "$CS" play --csv "$T/set.csv" --loop-set --render "$T/mix.wav" --duration 42 \
    --osc-script "$T/crowd.osc" --bpm-config "$T/fast.json" --trace "$T/trace.csv" --plot "$T/plot.svg") \
    >"$T/play.log" 2>&1
check renders [ -s "$T/mix.wav" ]
check no_underruns grep -q "underruns: 0$" "$T/play.log"
# Rung switches and track changes from the trace (not the log text): deck A's
# rung moves between two rungs; the second track plays on deck B.
trace_q() {   # trace_q EXPR: python over rows r (dicts) of the trace; exit 0 when true
    python3 - "$T/trace.csv" "$1" <<'PY'
import csv, sys
r = list(csv.DictReader(open(sys.argv[1])))
f = lambda v: float(v)
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
check rung_switches_in_trace trace_q \
    'any(f(a["rung_a"]) > 0 and f(b["rung_a"]) > 0 and a["rung_a"] != b["rung_a"] for a, b in zip(r, r[1:]))'
check track_changes_in_trace trace_q \
    'any(a["track"] and b["track"] and a["track"] != b["track"] and f(b["rung_b"]) > 0 for a, b in zip(r, r[1:]))'
check cs_next_logged grep -q "/cs/next: .* comes in at the next phrase" "$T/play.log"
check cs_next_in_fade_kept grep -q "/cs/next during the crossfade: .* comes in at the first phrase after it" "$T/play.log"
check status_reply grep -q "/cs/status" "$T/play.log"
check trace_rows [ "$(wc -l <"$T/trace.csv")" -ge 420 ]
check plot_is_svg grep -q "<polyline" "$T/plot.svg"
check plot_marks_track_changes grep -q "class=\"mark track\"" "$T/plot.svg"

"$AC" onsets "$T/mix.wav" --threshold 0.1 >"$T/on.txt"
sox -V1 "$T/mix.wav" -t f32 -c 1 "$T/mix.f32" remix 1
F0=$("$AC" pitch "$T/lib/audio/Demo 01 - Night Drive.wav" --start 2 --dur 1 --min-hz 150 --max-hz 260 | awk '{print $2}')
for s in $(seq 0.5 1 41); do
    echo "$s $("$AC" pitch "$T/mix.wav" --start "$s" --dur 1 --min-hz 150 --max-hz 260 | awk '{print $2}')"
done >"$T/pitch.txt"
# The rendered rungs' own pitch wobble (R2 fast, 1 s FFT windows) adds to
# the ±2% the fine rate may move the tone.
PDEV=$(for f in "$T"/parts/1*/*.wav; do for s in 1 3 5 7 9; do
    "$AC" pitch "$f" --start $s --dur 1 --min-hz 150 --max-hz 260; done; done |
    awk -v f0="$F0" '{d = $2 / f0 - 1; if (d < 0) d = -d; if (d > m) m = d} END {printf "%.4f", m}')
MAT=0
for f in "$T"/parts/*/*.wav; do
    r=$("$AC" clicks "$f" | awk '$1=="spike_ratio"{print $2}')
    MAT=$(awk -v a="$MAT" -v b="$r" 'BEGIN{print (b > a ? b : a)}')
done
MIX=$("$AC" clicks "$T/mix.wav" | awk '$1=="spike_ratio"{print $2}')

python3 - "$T" "$F0" "$MAT" "$MIX" >"$T/report.txt" <<'PY'
import array, bisect, csv, re, sys
T, f0, mat, mix = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
on = [float(x) for x in open(f"{T}/on.txt")]
tr = list(csv.DictReader(open(f"{T}/trace.csv")))
tt = [float(r["time"]) for r in tr]; bb = [float(r["current_bpm"]) for r in tr]
JUMP = 34.0                                   # /set_tempo: the trace cannot resolve it
P = [0.0]
for i in range(1, len(tt)):
    P.append(P[-1] + (bb[i] + bb[i - 1]) / 120 * (tt[i] - tt[i - 1]))
def phase(t):                                 # beats, integrating the trace's BPM
    i = min(max(bisect.bisect_right(tt, t) - 1, 0), len(tt) - 2)
    return P[i] + (bb[i] + (bb[i + 1] - bb[i]) * (t - tt[i]) / (tt[i + 1] - tt[i]) / 2) / 60 * (t - tt[i])
def bpm(t): return bb[min(int(round(t * 10)), len(bb) - 1)]
# 1. tempo: onset regression over 3 s windows vs the trace's mean BPM
worst_t = 0
for w0 in [x * 1.0 for x in range(1, 39)]:
    if w0 - 0.5 < JUMP < w0 + 3.5: continue
    o = [t for t in on if w0 <= t < w0 + 3]
    if len(o) < 4: continue
    n = len(o); xs = range(n); mx = (n - 1) / 2; my = sum(o) / n
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, o)) / sum((x - mx) ** 2 for x in xs)
    ref = [b for t, b in zip(tt, bb) if o[0] <= t <= o[-1]]
    worst_t = max(worst_t, abs(60 / slope - sum(ref) / len(ref)))
print("tempo_max_err_bpm %.3f" % worst_t)
# 2. beats at every rung switch and track change (times from the log)
ev = [float(m) for m in re.findall(r"(?:rung .* BPM|on deck [AB] \(rung [0-9.]+\)) at ([0-9.]+) s", open(f"{T}/play.log").read())]
worst_g = 0
for x in ev:
    for a, b in zip(on, on[1:]):
        if b < x - 1.0 or a > x + 1.5 or a < JUMP < b + 0.2: continue
        err = (phase(b) - phase(a) - 1) * 60 / bpm(b) * 1000
        worst_g = max(worst_g, abs(err))
print("events %d" % len(ev))
print("beat_max_err_ms %.3f" % worst_g)
# 3. pitch: every 1 s window (the /set_tempo jump's own window aside)
dev = [abs(float(l.split()[1]) / f0 - 1) for l in open(f"{T}/pitch.txt")
       if len(l.split()) > 1 and not (float(l.split()[0]) - 0.1 < JUMP < float(l.split()[0]) + 1.1)]
print("pitch_max_dev %.4f" % max(dev))
# 4. discontinuities: the mix's worst 1 ms step ratio vs the parts', and the
#    largest step near each switch vs the largest at ordinary beats
x = array.array("f"); x.frombytes(open(f"{T}/mix.f32", "rb").read())
def step(t, w=0.02):
    a, b = max(int((t - w) * 44100), 1), min(int((t + w) * 44100), len(x))
    return max(abs(x[i] - x[i - 1]) for i in range(a, b))
near = lambda t: any(abs(t - e) < 0.06 for e in ev)
ev_step = max(step(t) for t in on if near(t))
beat_step = max(step(t) for t in on if not near(t))
print("spike_ratio_mix %.2f material %.2f" % (mix, mat))
print("switch_step %.4f beat_step %.4f" % (ev_step, beat_step))
PY
cat "$T/report.txt" | sed 's/^/  /'
val() { awk -v k="$1" '$1==k{print $2}' "$T/report.txt"; }
check tempo_follows_trace awk -v v="$(val tempo_max_err_bpm)" 'BEGIN{exit !(v != "" && v <= 0.5)}'
check events_seen awk -v v="$(val events)" 'BEGIN{exit !(v >= 8)}'
check beats_on_grid_at_switches awk -v v="$(val beat_max_err_ms)" 'BEGIN{exit !(v != "" && v < 5)}'
echo "  material pitch wobble $PDEV"
check tone_within_fine_rate awk -v v="$(val pitch_max_dev)" -v m="$PDEV" 'BEGIN{exit !(v != "" && v <= 0.02 + m)}'
check no_clicks_beyond_material awk -v a="$MIX" -v m="$MAT" 'BEGIN{exit !(a <= 2 * m)}'
check switch_steps_like_beats awk -v s="$(awk '$1=="switch_step"{print $2, $4}' "$T/report.txt")" \
    'BEGIN{split(s, v, " "); exit !(v[1] <= 1.15 * v[2])}'

# The library path: the same selection flags as export, rungs from `renders`.
"$CS" play --bpm 122.5 --delta 2 --key Gm --n-sections 3 --parts-dir "$T/parts" --render "$T/lib.wav" \
    --duration 30 >"$T/lib.log" 2>&1
check library_set grep -q "ladder set: 2 tracks, rungs 114..130 BPM (5)" "$T/lib.log"
check library_set_ends grep -q "set finished: 2 tracks played" "$T/lib.log"
check library_set_sound awk -v p="$("$AC" info "$T/lib.wav" | awk '$1=="rms_db"{print $2}')" 'BEGIN{exit !(p > -40)}'
check library_no_parts_warns sh -c "'$CS' play --bpm 122.5 --key Gm --n-sections 4 --render '$T/x.wav' --duration 1 2>&1 | grep -q 'no rendered parts'"

# Damage: a missing rung (nearest plays, warned once) and a missing track
# (skipped, warned, the set goes on); the end of the set without --loop-set.
cp "$T/set.csv" "$T/bad.csv"
rm "$T/parts/122/Demo 08 - Late Set_sectioned.wav"
echo "/nowhere/Gone.wav,122,Gm,122,1,0,8,12,8,12,0:12.00,0:12.00,x,parts/122/Gone_sectioned.wav" >>"$T/bad.csv"
"$CS" play --csv "$T/bad.csv" --render "$T/bad.wav" --duration 30 >"$T/bad.log" 2>&1
check missing_rung_warned grep -q "Demo 08 - Late Set: no 122 BPM rung; its nearest rung plays instead" "$T/bad.log"
check missing_track_skipped grep -q "Gone: no playable part; track skipped" "$T/bad.log"
check damaged_set_plays grep -q "set finished: 2 tracks played" "$T/bad.log"
check silent_after_the_end awk -v p="$("$AC" info "$T/bad.wav" | awk '$1=="seconds"{print $2}')" 'BEGIN{exit !(p == 30)}'
sox -V1 "$T/bad.wav" "$T/tail.wav" trim 27 3
check tail_is_silent awk -v p="$("$AC" info "$T/tail.wav" | awk '$1=="peak_db"{print $2}')" 'BEGIN{exit !(p < -90)}'
