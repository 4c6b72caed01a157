#!/usr/bin/env bash
# Device loss for real (issue 21): cs play on a private user-mode
# PulseAudio server (a null sink, SDL_AUDIODRIVER=pulseaudio); the server is
# killed (SIGKILL, a crash) and started again 2 s later.  cs sees the loss
# within 1 s, says so in the log and the status, reopens every second, and
# plays again (a sink input, not corked) within 5 s of the server's return.
# SKIPs with the reason where pulseaudio is not installed or cannot start.
. "$(dirname "$0")/lib.sh"
for c in pulseaudio pactl sox; do
    command -v $c >/dev/null || { skip all "$c not installed (scripts/install-deps.sh --dev)"; exit 0; }
done
sox -n -r 44100 -c 2 -b 16 "$T/tone.wav" synth 30 sine 440 vol 0.3
# A private server: its own runtime folder and socket, nothing shared with
# a desktop session.  As root, pulseaudio warns but runs (--system=false).
mkdir -p "$T/pa"
export HOME=$T/pa XDG_RUNTIME_DIR=$T/pa PULSE_RUNTIME_PATH=$T/pa PULSE_SERVER=unix:$T/pa/native
export PULSE_STATE_PATH=$T/pa PULSE_CONFIG_PATH=$T/pa
pa_start() {
    pulseaudio -n --daemonize=no --system=false --exit-idle-time=-1 --disallow-exit \
        --log-target=stderr -L "module-null-sink sink_name=cs_null" \
        -L "module-native-protocol-unix auth-anonymous=1 socket=$T/pa/native" >>"$T/pa.log" 2>&1 &
    pa=$!
    for _ in $(seq 50); do pactl info >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}
now() { date +%s.%N; }
if ! pa_start; then
    skip all "pulseaudio did not start here: $(grep -E '^E:' "$T/pa.log" | tail -1)"
    kill $pa 2>/dev/null; exit 0
fi
trap 'kill $pa 2>/dev/null; kill $pid 2>/dev/null; rm -rf "$T"' EXIT
port=$((20000 + RANDOM % 20000))
SDL_AUDIODRIVER=pulseaudio "$CS_REL" play --bind 127.0.0.1 --port $port --a "$T/tone.wav" --allow-dir "$T" \
    >"$T/cs.log" 2>&1 &
pid=$!
inputs() { pactl list sink-inputs 2>/dev/null | grep -c "Corked: no"; }
for _ in $(seq 50); do [ "$(inputs)" -gt 0 ] && break; sleep 0.1; done
if [ "$(inputs)" -eq 0 ]; then
    if grep -q "SDL audio:" "$T/cs.log"; then skip all "SDL has no pulseaudio driver: $(tail -1 "$T/cs.log")"; exit 0; fi
    fail plays_on_pulse "no sink input: $(tail -2 "$T/cs.log")"; exit 0
fi
pass plays_on_pulse
python3 "$CS_ROOT/tests/tools/status_poll.py" $port 14 0.05 --until-back 1 >"$T/poll.tsv" &
poll=$!
sleep 1.5
t_kill=$(now); kill -KILL $pa; wait $pa 2>/dev/null
sleep 2
t_back=$(now)
pa_start || { fail restart "pulseaudio did not start again: $(tail -2 "$T/pa.log")"; exit 0; }
t_input=
for _ in $(seq 100); do [ "$(inputs)" -gt 0 ] && { t_input=$(now); break; }; sleep 0.05; done
wait $poll
kill -INT $pid; wait $pid; pid=
if [ -n "$t_input" ]; then
    resume=$(awk -v a="$t_back" -v b="$t_input" 'BEGIN { printf "%.2f", b - a }')
    awk -v r="$resume" 'BEGIN { exit !(r <= 5) }' && pass plays_again_within_5s \
        || fail plays_again_within_5s "a sink input $resume s after the server's return"
else
    resume=never
    fail plays_again_within_5s "no sink input 5 s after the server's return: $(grep -i device "$T/cs.log" | tail -2)"
fi
lost_at=$(awk '$3 == 1 { print $1; exit }' "$T/poll.tsv")
back_at=$(awk '$4 >= 1 && $3 == 0 { print $1; exit }' "$T/poll.tsv")
detect=$(awk -v a="$t_kill" -v b="${lost_at:-0}" 'BEGIN { printf "%.2f", b - a }')
if [ -n "$lost_at" ] && awk -v d="$detect" 'BEGIN { exit !(d >= 0 && d <= 1) }'; then pass lost_within_1s
else fail lost_within_1s "status said lost ${lost_at:+$detect s after the kill}${lost_at:-never}"; fi
[ -n "$back_at" ] && pass status_back || fail status_back "status never said back: $(tail -3 "$T/poll.tsv" | tr '\n' ' ')"
grep -q "audio device lost at .*SDL" "$T/cs.log" && grep -q "audio device back after" "$T/cs.log" \
    && pass logged_lost_then_back || fail logged_lost_then_back "$(grep -i device "$T/cs.log" | head -4)"
echo "measured pulseaudio: detection $detect s after the kill, sink input $resume s after the server's return"
