#!/usr/bin/env bash
# Soak (not pass/fail): cs play live on SDL at --buffer-size 256 with 500 OSC
# messages/s on loopback (levels, EQ, movement, status, the detector's
# keypoint flood) while `cs export -j 2` renders beside it; prints the
# underruns at the end (target 0).
# Usage: soak.sh [--soak-seconds N] [--stretch-method M]   (default 600 s)
# SDL_AUDIODRIVER picks the device driver (dummy when no sound card).
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
export CS_ROOT=${CS_ROOT:-$ROOT}   # tests/tools/oscmsg.py
CS=${CS_REL_BIN:-$ROOT/build/rel/cs}
SECS=600 METHOD=playback_rate
while [ $# -gt 0 ]; do
    case $1 in
    --soak-seconds) SECS=$2; shift 2 ;;
    --stretch-method) METHOD=$2; shift 2 ;;
    *) echo "usage: $0 [--soak-seconds N] [--stretch-method M]" >&2; exit 2 ;;
    esac
done
# No sound card (CI, containers): SDL's dummy driver, paced like a device.
export SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
T=$(mktemp -d /tmp/cs-soak-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
PORT=$((20000 + RANDOM % 20000))

sox -n -r 44100 -c 2 -b 16 "$T/a.wav" synth 600 sine 110 sine 440 vol 0.3
sox -n -r 44100 -c 2 -b 16 "$T/b.wav" synth 600 pinknoise vol 0.2
"$CS" demo "$T/lib" --tracks 6 >/dev/null 2>&1

(cd "$T" && exec "$CS" play --port $PORT --buffer-size 256 --enable-filters --stretch-method "$METHOD") \
    >"$T/play.log" 2>&1 &
play=$!; pids+=($play)
# Exports beside it, one after another, until the soak ends.
(while :; do CS_DB="$T/db$RANDOM.sqlite" "$CS" export "$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" \
     --audio-dir "$T/lib/audio" --ladder 110,120,130 -j 2 --parts-dir "$T/parts$RANDOM" \
     --csv-out "$T/sel.csv" >/dev/null 2>&1 || true; done) &
pids+=($!)

python3 - "$PORT" "$SECS" <<'EOF'
import socket, struct, sys, time
import os; sys.path.insert(0, os.environ["CS_ROOT"] + "/tests/tools")
from oscmsg import msg, pad
port, secs = int(sys.argv[1]), float(sys.argv[2])
dst = ("127.0.0.1", port)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
for _ in range(100):
    s.sendto(msg("/cs/ping"), dst)
    try: s.recvfrom(4096); break
    except socket.timeout: pass
s.sendto(msg("/cue", ",ss", "A", "a.wav"), dst)
s.sendto(msg("/cue", ",ss", "B", "b.wav"), dst)
s.sendto(msg("/start_group", ",ssf", "A", "B", 0.0), dst)
s.setblocking(False)
rate, n, t0 = 500, 0, time.monotonic()
limit = int(rate * secs)                    # bounded count and time
while n < limit and time.monotonic() - t0 < secs + 5:
    k = n % 10
    x = (n % 1000) / 1000.0
    if k < 5: m = msg("/pose/keypoints", ",fff", x, x, x)
    elif k == 5: m = msg("/crossfade_levels", ",ff", x, 1 - x)
    elif k == 6: m = msg("/deck_eq", ",ssf", "A", "low", 100 * x)
    elif k == 7: m = msg("/dance/total_movement", ",f", x * 0.5)
    elif k == 8: m = msg("/deck_levels", ",ff", 0.8, 0.6)
    else: m = msg("/cs/status")
    s.sendto(m, dst); n += 1
    try:
        while True: s.recvfrom(4096)
    except (BlockingIOError, socket.timeout): pass
    lag = t0 + n / rate - time.monotonic()
    if lag > 0: time.sleep(lag)
print("sent %d OSC messages in %.1f s" % (n, time.monotonic() - t0))
EOF
kill -INT $play; wait $play || true
grep -E "underruns|error|warning" "$T/play.log" | tail -5
echo "soak: ${SECS} s at --buffer-size 256 ($SDL_AUDIODRIVER), method $METHOD: $(grep -o 'underruns: .*' "$T/play.log" | tail -1) (target 0)"
