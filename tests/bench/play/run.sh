#!/usr/bin/env bash
# Offline render speed of a 4-deck mix (EQ on, a tempo change, level moves),
# on one core, and callgrind instructions per audio second when valgrind is
# installed.  Target: >= 300x real time.  Not part of pass/fail.
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
CS=${CS_REL_BIN:-$ROOT/build/rel/cs}
T=$(mktemp -d /tmp/cs-bench-play-XXXXXX)
trap 'rm -rf "$T"' EXIT
DUR=${DUR:-120}
sox -n -r 44100 -c 2 -b 16 "$T/a.wav" synth 60 sine 110 sine 440 vol 0.3
sox -n -r 44100 -c 2 -b 16 "$T/b.wav" synth 60 pinknoise vol 0.2
sox -n -r 48000 -c 2 -b 16 "$T/c.wav" synth 60 sine 220 vol 0.3
sox -n -r 44100 -c 1 -b 16 "$T/d.wav" synth 60 whitenoise vol 0.1
cat >"$T/mix.osc" <<EOM
0 /cue ss A $T/a.wav
0 /cue ss B $T/b.wav
0 /cue ss C $T/c.wav
0 /cue ss D $T/d.wav
0 /start_group sssss A B C D 0
1 /deck_eq_all siii A 30 50 50
2 /deck_eq_all siii B 50 20 50
3 /deck_eq_all siii C 50 50 10
4 /deck_levels ffff 0.8 0.6 0.5 0.4
5 /set_tempo f 126
30 /dance/total_movement f 0.3
EOM
pin=""; command -v taskset >/dev/null && pin="taskset -c 0"
best=0
for i in 1 2 3; do
    $pin "$CS" play --enable-filters --render "$T/out.wav" --duration "$DUR" --osc-script "$T/mix.osc" 2>"$T/log"
    x=$(sed -n 's/.*(\([0-9]*\)x real time).*/\1/p' "$T/log")
    [ "${x:-0}" -gt "$best" ] && best=$x
done
echo "play render: 4 decks, EQ on, tempo change, ${DUR} s: best ${best}x real time (one core; target >= 300x)"
if command -v valgrind >/dev/null; then
    valgrind --tool=callgrind --callgrind-out-file="$T/cg.out" "$CS" play --enable-filters \
        --render "$T/out.wav" --duration 10 --osc-script "$T/mix.osc" >/dev/null 2>"$T/vg.log" || true
    ir=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$T/vg.log" | head -1)
    [ -n "$ir" ] && echo "callgrind: $ir instructions for 10 s of audio = $((ir / 10)) per audio second"
    command -v callgrind_annotate >/dev/null && callgrind_annotate "$T/cg.out" 2>/dev/null | sed -n '1,30p' | grep -E "^ *[0-9,]+ .*(engine|voice|eq|tanh|decode|swr|reader)" | head -8 || true
fi

# Live: CPU and wake-ups per second, idle and with two decks at 1024 and 256
# frames, beside the offline render of the same two decks (live.py).
python3 "$ROOT/tests/bench/play/live.py" "$CS" "$T/a.wav" "$T/b.wav" "${LIVE_SECONDS:-10}"

# Against the floor (issue 26): a bare SDL2 player of one WAV
# (tests/tools/sdlplay) on the same driver, cs idle, 2 decks and a ladder set
# live, their offline renders, the original server when CS_ORIGINAL says how
# to run it (floor.py).
SDLPLAY=${SDLPLAY:-$(dirname "$CS")/tools/sdlplay}
if [ -x "$SDLPLAY" ]; then python3 "$ROOT/tests/bench/play/floor.py" "$CS" "$SDLPLAY"
else echo "floor: $SDLPLAY not built (make build/rel/tools/sdlplay); skipped"; fi
