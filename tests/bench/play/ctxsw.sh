#!/usr/bin/env bash
# Voluntary context switches per second of each of cs play's threads, live
# (SDL's disk driver to /dev/null, paced like a device: 1024-frame buffers),
# two decks playing, the master mix stretched live (rubberband, 126 BPM over
# a 120 base).  Threads that poll show hundreds a second; threads that
# sleep until woken show about their work's rate (the device thread and the
# stretcher: one a callback, 43 a second).  Not part of pass/fail.
#   bash tests/bench/play/ctxsw.sh [CS_BINARY]     (default: build/rel/cs)
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
CS=${1:-${CS_REL_BIN:-$ROOT/build/rel/cs}}
SECS=${SECS:-10}
T=$(mktemp -d /tmp/cs-bench-ctxsw-XXXXXX)
PORT=$((20000 + RANDOM % 20000))
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
sox -n -r 44100 -c 2 -b 16 "$T/a.wav" synth 60 sine 110 sine 440 vol 0.3
sox -n -r 44100 -c 2 -b 16 "$T/b.wav" synth 60 pinknoise vol 0.2
SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=/dev/null SDL_DISKAUDIODELAY=23 \
    "$CS" play --port $PORT --bind 127.0.0.1 --buffer-size 1024 --allow-dir "$T" \
    --stretch-method rubberband >"$T/log" 2>&1 &
pid=$!
python3 - "$PORT" "$T" <<'PY'
import os, socket, sys, time
sys.path.insert(0, os.environ.get("CS_ROOT", ".") + "/tests/tools")
from oscmsg import msg
port, d = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
for _ in range(100):
    s.sendto(msg("/cs/ping"), ("127.0.0.1", port))
    try: s.recvfrom(4096); break
    except socket.timeout: pass
s.sendto(msg("/cue", ",ss", "A", d + "/a.wav"), ("127.0.0.1", port))
s.sendto(msg("/cue", ",ss", "B", d + "/b.wav"), ("127.0.0.1", port))
s.sendto(msg("/start_group", ",ssf", "A", "B", 0.0), ("127.0.0.1", port))
s.sendto(msg("/set_tempo", ",f", 126.0), ("127.0.0.1", port))
PY
sleep 2
snap() {
    for t in /proc/$pid/task/*; do
        printf '%s %s %s\n' "${t##*/}" "$(tr ' ' _ <"$t/comm")" \
            "$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status")"
    done
}
snap >"$T/s0"
sleep "$SECS"
snap >"$T/s1"
echo "cs play, 2 decks + live rubberband stretch, $SECS s: voluntary context switches per second ($CS)"
join "$T/s0" "$T/s1" | awk -v s="$SECS" '{ r = ($5 - $3) / s; tot += r; printf "  %-8s %-16s %8.1f/s\n", $1, $2, r }
    END { printf "  %-25s %8.1f/s\n", "all threads", tot }'
grep -E "underruns|live stretch" "$T/log" || true
