#!/usr/bin/env bash
# run.sh: alone (its timing is part of what it checks)
# A live ladder set wakes when something is due (issue 26): a rung switch
# to commit on its beat, a stream being opened, a fade segment, a rate step
# of a glide; not every 5 ms.  All of cs play's threads, SDL's device thread
# included, at 1024-frame buffers on SDL's dummy driver: at most 150
# voluntary context switches a second while the set plays and the tempo
# glides across a rung (240..294 before: the control tick ran every 5 ms
# while a set was loaded).  The rung switch still lands on its beat.
. "$(dirname "$0")/lib.sh"
command -v sox >/dev/null && command -v soxi >/dev/null || { skip all "sox not installed"; exit 0; }
MAX=${CS_WAKE_MAX:-150}
python3 "$CS_ROOT/tests/tools/mkset.py" "$T/set" 30 2 || { fail setup "mkset.py"; exit 0; }
PORT=$((20000 + RANDOM % 20000))
SDL_AUDIODRIVER=dummy "$CS_REL" -v play --set "$T/set" --loop-set --bpm 120 --port $PORT --bind 127.0.0.1 \
    --buffer-size 1024 >"$T/log" 2>&1 &
pid=$!
python3 - "$pid" "$PORT" >"$T/rate" <<'PY'
import os, socket, sys, time
sys.path.insert(0, os.environ["CS_ROOT"] + "/tests/tools")
from oscmsg import msg
pid, port = sys.argv[1], int(sys.argv[2])
def count():
    n = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            for line in open(f"/proc/{pid}/task/{tid}/status"):
                if line.startswith("voluntary_ctxt_switches"): n += int(line.split()[1])
        except OSError: pass
    return n
time.sleep(2.0)                       # start-up: the device, the first track
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a = count(); t0 = time.monotonic()
s.sendto(msg("/cs/bpm", ",f", 124.5), ("127.0.0.1", port))   # a glide across a rung
time.sleep(5.0)
b = count(); t1 = time.monotonic()
print(f"{(b - a) / (t1 - t0):.1f}")
PY
kill -INT $pid; wait $pid 2>/dev/null
w=$(cat "$T/rate")
echo "ladder set live: $w voluntary context switches/s (all threads; want <= $MAX)"
if [ -z "$w" ]; then fail wake_rate "no measure: $(tail -3 "$T/log")"
elif near "$w" 0 "$MAX"; then pass wake_rate
else fail wake_rate "$w voluntary context switches/s, want <= $MAX"; fi
# The glide crossed a rung: the switch happened, on a beat (the ladder's
# model puts it there; ladder unit tests and play_grid.sh check the audio).
grep -q "deck A: rung 120 -> 124 BPM at" "$T/log" && pass rung_switch_on_glide \
    || fail rung_switch_on_glide "no switch to rung 124: $(grep -E 'rung|track' "$T/log" | tail -3)"
# Every switch committed inside its window: no tick came too late for its
# beat (a switch that missed would land a beat later; -v logs it).
n=$(grep -c "missed its beat" "$T/log" || true)
[ "$n" = 0 ] && pass no_switch_missed_its_beat || fail no_switch_missed_its_beat "$n: $(grep "missed its beat" "$T/log" | head -2)"
# The switch's beat is on the track's grid (120 BPM: every 0.5 s).
u=$(sed -n 's/.*deck A: rung 120 -> 124 BPM at .* (beat at \([0-9.]*\) s of t1).*/\1/p' "$T/log" | head -1)
[ -n "$u" ] && awk -v u="$u" 'BEGIN { b = u * 2; d = b - int(b + 0.5); exit !(d < 1e-3 && d > -1e-3) }' \
    && pass switch_on_grid_beat || fail switch_on_grid_beat "beat at '$u' s"
grep -q "underruns: 0 stream" "$T/log" && pass no_stream_underruns || fail no_stream_underruns "$(grep underruns "$T/log")"
