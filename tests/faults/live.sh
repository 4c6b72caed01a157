#!/usr/bin/env bash
# Live `cs play` control side under allocation failures (make faults; run by
# tests/faults/run.sh with FAULT_ONLY containing "live").  Deck A is loaded
# and playing a 10-minute sine before the faults start; then every counted
# allocation from the N-th on fails (CS_FAULT_PERSIST=1: in a live session
# threads order their calls differently from run to run, so "from N on" is
# what can be repeated) while OSC loads a file on deck B, asks for status,
# moves the crossfader and the tempo.  What must hold for every N: no crash
# or sanitizer report, exit 0 at SIGINT, the audio callback never stopped
# (SDL's disk driver output runs as long as the clean session's and deck
# A's sine is there to the end), and a refused command is one line naming the fault.
# Env: INJ, AC, T (from run.sh), FAULT_LIVE_STEP (default 3).
set -u
LIVE_STEP=${FAULT_LIVE_STEP:-3}   # (not STEP: run.sh prints its own)
L=$T/live
mkdir -p "$L"
sox -R -n -r 44100 -c 2 -b 16 "$L/a.wav" synth 600 sine 440 vol 0.5 2>/dev/null ||
    { echo "SKIP faults:live: sox not installed"; return 0; }
sox -R -n -r 44100 -c 2 -b 16 "$L/b.wav" synth 20 sine 660 vol 0.5
command -v oscsend >/dev/null || { echo "SKIP faults:live: oscsend not installed"; return 0; }

ready() {   # waits (10 s at most) for the player's "listening on" line
    local i
    for i in $(seq 100); do grep -q "listening on" "$1" 2>/dev/null && return; sleep 0.1; done
}

session() {   # session OUT N [phase1]: one live session, faults from the N-th allocation (0: none)
    local out=$1 n=$2 port=$((20000 + RANDOM % 20000)) pid
    rm -f "$out".*
    env CS_FAULT_ALLOC="$n" CS_FAULT_PERSIST=1 CS_FAULT_REPORT="$out.rep" SDL_AUDIODRIVER=disk \
        SDL_DISKAUDIOFILE="$out.raw" SDL_DISKAUDIODELAY=20 \
        "$INJ" play --port $port --buffer-size 1024 --allow-dir "$L" >"$out.log" 2>&1 &
    pid=$!
    ready "$out.log"
    oscsend localhost $port /load_buffer is 100 "$L/a.wav"
    oscsend localhost $port /play_stem i 100
    oscsend localhost $port /crossfade_levels ff 1 0
    sleep 0.7
    # phase 1 done: deck A plays
    if [ -z "${3:-}" ]; then
        oscsend localhost $port /load_buffer is 1100 "$L/b.wav"
        oscsend localhost $port /play_stem i 1100
        oscsend localhost $port /cs/status
        oscsend localhost $port /crossfade_levels ff 1 1
        oscsend localhost $port /set_tempo f 124
        oscsend localhost $port /stem_volume if 1100 0.5
        oscsend localhost $port /get_status
    fi
    sleep 1.0
    kill -INT $pid
    wait $pid
}

# How many allocations a session makes before its faulted phase: the
# count after phase 1 is not observable from outside, so a session with
# phase 1 alone is run once (its shutdown adds its few to the count).
phase1_count() {
    session "$L/p1" 0 phase1
    awk '{ print $2 }' "$L/p1.rep"
}

tail_level() {   # peak of the last 0.3 s of the left channel, and frames
    python3 - "$1" <<'EOF'
import array, sys
a = array.array("f"); a.frombytes(open(sys.argv[1], "rb").read())
L = a[0::2]
print(len(L), max((abs(v) for v in L[-13000:]), default=0))
EOF
}

live_loop() {
    local p1 full n bad=0 tried=0 why frames pk rc
    p1=$(phase1_count)
    session "$L/clean" 0
    full=$(awk '{ print $2 }' "$L/clean.rep")
    local cframes
    read -r cframes pk < <(tail_level "$L/clean.raw")
    if [ -z "$p1" ] || [ -z "$full" ] || ! awk -v p="$pk" 'BEGIN { exit !(p > 0.1) }'; then
        echo "FAIL faults:live: the clean session did not play (p1 $p1, all $full, peak $pk)"
        summary+=("live     alloc  clean session failed"); total_fail=$((total_fail + 1)); return
    fi
    # the shutdown's own allocations come after phase 2: stop at the session's count
    for ((n = p1 + 1; n <= full; n += LIVE_STEP)); do
        tried=$((tried + 1))
        session "$L/s" "$n"
        rc=$?
        why=()
        [ $rc = 0 ] || why+=("exit status $rc at SIGINT")
        grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$L/s.log" && why+=("sanitizer report")
        read -r frames pk < <(tail_level "$L/s.raw")
        # the callback ran to the end (the disk driver writes what it gives)
        # and deck A was still sounding (B, refused or not, only adds)
        awk -v p="$pk" -v f="$frames" -v c="$cframes" 'BEGIN { exit !(p > 0.1 && f > 0.8 * c) }' ||
            why+=("audio stopped or deck A silenced: peak $pk over the last 0.3 s, $frames frames (clean $cframes)")
        if grep -q "failed_alloc 0 " "$L/s.rep" 2>/dev/null; then :; else
            grep -qiE "out of memory" "$L/s.log" || why+=("an allocation failed and no line says so")
        fi
        if [ ${#why[@]} -gt 0 ]; then
            bad=$((bad + 1))
            echo "FAIL faults:live:alloc:$n (persist): ${why[*]}"
            tail -n 6 "$L/s.log" | sed 's/^/    /'
        fi
    done
    summary+=("$(printf '%-8s %-6s %6d points reached, %5d runs injected, %3d failing' live alloc "$((full - p1))" "$tried" "$bad")")
    total_fail=$((total_fail + bad))
}
live_loop
