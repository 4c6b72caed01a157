#!/usr/bin/env bash
# cs play --render: the engine heard through offline renders driven by OSC
# scripts.  Checks levels, sample-exact starts, pitch under /set_tempo,
# --disable-time-stretch, equal-power crossfade level and click-free level
# changes, on fixtures synthesised here.
. "$(dirname "$0")/lib.sh"
command -v sox >/dev/null || { skip all "sox not installed"; exit 0; }

# Analysis helper: reads a float WAV through sox (raw f32) with plain Python.
cat >"$T/an.py" <<'EOF'
import array, math, subprocess, sys
def load(path):
    raw = subprocess.run(["sox", path, "-t", "f32", "-c", "2", "-"], capture_output=True, check=True).stdout
    a = array.array("f"); a.frombytes(raw)
    return a[0::2], a[1::2]
def first(x, thr=1e-6):
    for i, v in enumerate(x):
        if abs(v) > thr: return i
    return -1
def peak(x, a, b): return max(abs(v) for v in x[a:b])
def rms(x, a, b): return math.sqrt(sum(v * v for v in x[a:b]) / (b - a))
def zc_hz(x, a, b):
    n = sum(1 for i in range(a + 1, b) if (x[i - 1] < 0) != (x[i] < 0))
    return n / 2 / ((b - a) / 44100.0)
def maxstep(x, a, b): return max(abs(x[i] - x[i - 1]) for i in range(a + 1, b))
cmd, path = sys.argv[1], sys.argv[2]
L, R = load(path)
args = [int(float(v) * 44100) for v in sys.argv[3:]]
if cmd == "first": print(first(L), first(R))
elif cmd == "peak": print(peak(L, *args))
elif cmd == "rms": print(rms(L, *args))
elif cmd == "hz": print(zc_hz(L, *args))
elif cmd == "maxstep": print(maxstep(L, *args))
elif cmd == "len": print(len(L))
EOF
an() { python3 "$T/an.py" "$@"; }
render() {   # render OUT DURATION SCRIPT [options]
    local out=$1 dur=$2 script=$3; shift 3
    "$CS" play --render "$out" --duration "$dur" --osc-script "$script" "$@" >"$out.log" 2>&1
}

# Fixtures: an impulse on the left / on the right (first sample 1.0), sines.
python3 - "$T" <<'EOF'
import array, sys
t = sys.argv[1]
for name, ch in (("impL", 0), ("impR", 1)):
    a = array.array("f", [0.0] * 2 * 44100)
    a[ch] = 0.5
    open(f"{t}/{name}.raw", "wb").write(a.tobytes())
EOF
for n in impL impR; do sox -t f32 -r 44100 -c 2 "$T/$n.raw" "$T/$n.wav"; done
sox -n -r 44100 -c 2 -b 16 "$T/s440.wav" synth 6 sine 440 vol 0.5
sox -n -r 44100 -c 2 -b 16 "$T/s620.wav" synth 6 sine 620 vol 0.25
sox -n -r 44100 -c 2 -b 16 "$T/s440q.wav" synth 6 sine 440 vol 0.25
sox -n -r 48000 -c 1 -b 24 "$T/s1k48.flac" synth 3 sine 1000 vol 0.5

# 1. Group start: two decks, both on the same sample, exactly start_at after
#    the message (0.3 s + 0.25 s = 24255), at any block boundary.
cat >"$T/group.osc" <<EOF
0 /cue sss A $T/impL.wav 0.0
0.1 /cue ss B "$T/impR.wav"
0.3 /start_group sfs A 0.25 B
EOF
render "$T/group.wav" 1 "$T/group.osc"
got=$(an first "$T/group.wav")
[ "$got" = "24255 24255" ] && pass group_start_same_sample || fail group_start_same_sample "first samples $got, want 24255 24255"

# 1b. The same script as a Windows editor saves it (UTF-8 BOM, CRLF lines),
#     and with old-Mac CR lines: read as if the mark and CRs were not there.
{ printf '\xEF\xBB\xBF'; sed 's/$/\r/' "$T/group.osc"; } >"$T/group_crlf.osc"
{ printf '\xEF\xBB\xBF'; tr '\n' '\r' <"$T/group.osc"; } >"$T/group_cr.osc"
for v in crlf cr; do
    render "$T/group_$v.wav" 1 "$T/group_$v.osc"
    got=$(an first "$T/group_$v.wav" 2>/dev/null)
    [ "$got" = "24255 24255" ] && pass "script_bom_${v}" \
        || fail "script_bom_${v}" "first samples '$got', want 24255 24255: $(tail -1 "$T/group_$v.wav.log")"
done

# 2. /play_stem at a script time: exact sample; numbers as strings accepted.
cat >"$T/stem.osc" <<EOF
0 /load_buffer is 1100 $T/impR.wav
0.123 /play_stem sssss 1100 1 1.0 0 0
EOF
render "$T/stem.wav" 0.5 "$T/stem.osc"
got=$(an first "$T/stem.wav")
[ "$got" = "-1 5424" ] && pass play_stem_sample_exact || fail play_stem_sample_exact "first $got, want -1 5424"

# 3. Levels: vol 0.8, deck 1.0, master 0.8, soft clip 0.9*tanh(0.9x); then
#    /deck_levels 0.5 and /crossfade_levels.
cat >"$T/lev.osc" <<EOF
0 /load_buffer is 100 $T/s440.wav
0 /play_stem i 100
2 /deck_levels f 0.5
4 /crossfade_levels ii 0 1
EOF
render "$T/lev.wav" 5 "$T/lev.osc"
p1=$(an peak "$T/lev.wav" 0.5 1.9); p2=$(an peak "$T/lev.wav" 2.5 3.9); p3=$(an peak "$T/lev.wav" 4.1 5)
w1=$(awk 'BEGIN{x=0.9*0.8*0.8*0.5; printf "%.6f", 0.9*(exp(2*x)-1)/(exp(2*x)+1)}')
w2=$(awk 'BEGIN{x=0.9*0.8*0.8*0.25; printf "%.6f", 0.9*(exp(2*x)-1)/(exp(2*x)+1)}')
if near "$p1" "$w1" 0.002 && near "$p2" "$w2" 0.002 && near "$p3" 0 1e-6; then pass levels_and_soft_clip
else fail levels_and_soft_clip "peaks $p1 $p2 $p3, want $w1 $w2 0"; fi

# 4. Pitch under /set_tempo in playback_rate mode (132/120 -> 484 Hz) and
#    unchanged with --disable-time-stretch.
cat >"$T/tempo.osc" <<EOF
0 /load_buffer is 100 $T/s440.wav
0 /play_stem i 100
1 /set_tempo f 132
EOF
render "$T/tempo.wav" 3 "$T/tempo.osc"
h0=$(an hz "$T/tempo.wav" 0.1 0.9); h1=$(an hz "$T/tempo.wav" 1.5 2.9)
near "$h0" 440 1 && near "$h1" 484 1 && pass set_tempo_shifts_pitch || fail set_tempo_shifts_pitch "hz $h0 -> $h1, want 440 -> 484"
render "$T/tempo2.wav" 3 "$T/tempo.osc" --disable-time-stretch
h2=$(an hz "$T/tempo2.wav" 1.5 2.9)
near "$h2" 440 1 && pass disable_time_stretch_holds_tempo || fail disable_time_stretch_holds_tempo "hz $h2, want 440"

# 5. Other sample rates and mono decode through the streaming reader.
cat >"$T/flac.osc" <<EOF
0 /cue ss C $T/s1k48.flac
0 /start_group ss C 0
EOF
render "$T/flac.wav" 2 "$T/flac.osc"
h=$(an hz "$T/flac.wav" 0.2 1.8)
near "$h" 1000 1 && pass resampled_flac_pitch || fail resampled_flac_pitch "hz $h, want 1000"

# 6. Equal-power crossfade of uncorrelated material keeps the level (+-1 dB).
cat >"$T/xf.osc" <<EOF
0 /load_buffer is 100 $T/s440q.wav
0 /load_buffer is 1100 $T/s620.wav
0 /play_stem i 100
0 /play_stem i 1100
0 /crossfade_levels ff 1 0
2 /crossfade_levels ff 0.70710678 0.70710678
4 /crossfade_levels ff 0 1
EOF
render "$T/xf.wav" 6 "$T/xf.osc"
r1=$(an rms "$T/xf.wav" 0.5 1.9); r2=$(an rms "$T/xf.wav" 2.5 3.9); r3=$(an rms "$T/xf.wav" 4.5 5.9)
db=$(awk -v a="$r1" -v b="$r2" -v c="$r3" 'BEGIN{ x=20*log(b/a)/log(10); y=20*log(c/a)/log(10); if (x<0) x=-x; if (y<0) y=-y; print (x>y?x:y) }')
near "$db" 0 1 && pass equal_power_crossfade_level || fail equal_power_crossfade_level "rms $r1 $r2 $r3 (max dev $db dB)"

# 7. Level jumps are ramped: no sample step above the sine's own (2*pi*f*A/fs).
cat >"$T/click.osc" <<EOF
0 /load_buffer is 100 $T/s440.wav
0 /play_stem i 100
0.5 /deck_levels f 0
1.0 /deck_levels f 1
1.5 /fade sff A 0 0.2
2.0 /deck_levels f 0.3
EOF
render "$T/click.wav" 2.5 "$T/click.osc"
ms=$(an maxstep "$T/click.wav" 0.1 2.5)
bound=$(awk 'BEGIN{x=0.9*0.9*0.8*0.8*0.5; printf "%.6f", 2*3.14159265*440*x/44100*1.02}')
awk -v m="$ms" -v b="$bound" 'BEGIN{exit !(m <= b)}' && pass level_changes_click_free || fail level_changes_click_free "max step $ms > $bound"

# 8. EQ: ignored when off (bit-identical to no EQ messages); low kill with
#    --enable-filters removes most of a 440 Hz tone? (440 is mostly "mid")
cat >"$T/eq.osc" <<EOF
0 /load_buffer is 100 $T/s440.wav
0 /play_stem i 100
0.5 /deck_eq ssi A mid 0
0.5 /deck_eq_all sfff A 50 0 50
EOF
render "$T/eq_off.wav" 2 "$T/eq.osc"
r=$(an rms "$T/eq_off.wav" 1 2); r0=$(an rms "$T/lev.wav" 1 2)
[ "$r" = "$r0" ] && pass eq_ignored_when_disabled || fail eq_ignored_when_disabled "rms $r vs $r0"
render "$T/eq_on.wav" 2 "$T/eq.osc" --enable-filters
r=$(an rms "$T/eq_on.wav" 1.2 2)
awk -v a="$r" -v b="$r0" 'BEGIN{exit !(a < b*0.6)}' && pass eq_mid_cut || fail eq_mid_cut "rms $r vs $r0"

# 9. Bad input: a missing file, a bad number, unknown address: one line each
#    for the first two, nothing for the flood, render still completes.
cat >"$T/bad.osc" <<EOF
0 /cue ss A $T/missing.wav
0 /set_tempo s fast
0 /pose/keypoints fff 1 2 3
0 /dance/pose/person0/nose ff 1 2
0.1 /cs/status
EOF
render "$T/bad.wav" 0.5 "$T/bad.osc"
lines=$(grep -c "error" "$T/bad.wav.log")
[ "$lines" = 2 ] && grep -q "reply /cs/status" "$T/bad.wav.log" && pass bad_input_one_line_each \
    || fail bad_input_one_line_each "$(cat "$T/bad.wav.log")"

# 10. Render is deterministic.
render "$T/xf2.wav" 6 "$T/xf.osc"
cmp -s "$T/xf.wav" "$T/xf2.wav" && pass render_deterministic || fail render_deterministic "two renders differ"

# 11. The original's launch flags: --dummy_after runs /dummy locally after S
#     seconds (here: schedule_c_at 0, a time already past, so deck C starts
#     when /dummy runs: at 0.25 s, sample 11025); --cli-sentinel checks the
#     line and exits 0 opening nothing (2 on a bad value, as a launch would).
: >"$T/none.osc"
render "$T/dummy.wav" 1 "$T/none.osc" --c "$T/impL.wav" --dummy_after 0.25 --dummy_args schedule_c_at 0
f=$(an first "$T/dummy.wav" | awk '{print $1}')
grep -q "^dummy: schedule_c_at 0$" "$T/dummy.wav.log" && [ "$f" = 11025 ] && pass dummy_after_schedules_c \
    || fail dummy_after_schedules_c "first sample $f (want 11025); $(cat "$T/dummy.wav.log")"
out=$("$CS" play --cli-sentinel --port 57999 --disable-filters --dummy_after 5 --dummy_args a -1 b 2>&1); rc=$?
[ $rc = 0 ] && [ "$out" = "cs play: cli-sentinel ok" ] && pass cli_sentinel || fail cli_sentinel "rc $rc: $out"
"$CS" play --cli-sentinel --stretch-method bogus >/dev/null 2>"$T/sm.err"; rc=$?
[ $rc = 2 ] && grep -q "bogus" "$T/sm.err" && pass cli_sentinel_checks_values || fail cli_sentinel_checks_values "rc $rc: $(cat "$T/sm.err")"
"$CS" play --cli-sentinel --dummy_after soon >/dev/null 2>"$T/ds.err"; rc=$?
[ $rc = 2 ] && grep -q "dummy_after" "$T/ds.err" && pass dummy_after_bad_value || fail dummy_after_bad_value "rc $rc: $(cat "$T/ds.err")"

# 12. A render is written under a temporary name and renamed when complete: a
#     killed render leaves no file under the final name (for .wav and .flac),
#     and the next render there finishes and clears the killed one's temporary.
printf '0 /load_buffer is 1 %s\n0 /play_stem iffi 1 1 0.5 1\n' "$T/s440.wav" >"$T/long.osc"
for ext in wav flac; do
    out="$T/killed.$ext"
    "$CS" play --render "$out" --duration 36000 --osc-script "$T/long.osc" >"$T/killed.log" 2>&1 &
    pid=$!
    for _ in $(seq 50); do   # until the render has written something (5 s at most)
        [ -n "$(find "$T" -maxdepth 1 -name "*killed.$ext*" -size +100k 2>/dev/null)" ] && break
        sleep 0.1
    done
    seen_final=no; [ -e "$out" ] && seen_final=yes
    kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    if [ $seen_final = no ] && [ ! -e "$out" ]; then pass "killed_render_leaves_no_final_file_$ext"
    else fail "killed_render_leaves_no_final_file_$ext" "$out exists ($(ls -la "$T" | grep killed))"; fi
    render "$out" 0.5 "$T/long.osc"
    left=$(find "$T" -maxdepth 1 -name ".killed.$ext.tmp.*" | wc -l)
    [ -s "$out" ] && [ "$left" = 0 ] && pass "rerender_finishes_and_clears_temps_$ext" \
        || fail "rerender_finishes_and_clears_temps_$ext" "$left temporaries left; $(cat "$out.log")"
done
