#!/usr/bin/env bash
# run.sh: alone (its timing is part of what it checks)
# A player with nothing to do sleeps: its own threads (the control loop "cs"
# and the reader "cs-reader") wake about once a second when idle, and the
# control loop 4 times a second while two decks play at a steady tempo (the
# device watchdog's period; it polled every 5 ms, ~200 wake-ups a second,
# before issue 21, and every 50 ms, 24 with the reader, before issue 26).  The device thread (SDL's, once per
# buffer) is not ours and not counted.  CPU figures: tests/bench/play/live.py.
. "$(dirname "$0")/lib.sh"
command -v sox >/dev/null || { skip all "sox not installed"; exit 0; }
sox -n -r 44100 -c 2 -b 16 "$T/a.wav" synth 30 sine 220 vol 0.3
sox -n -r 44100 -c 2 -b 16 "$T/b.wav" synth 30 sine 330 vol 0.3

# Voluntary context switches of the named threads over SECONDS, per second.
wakeups() {   # pid seconds names...
    python3 - "$@" <<'PY'
import os, sys, time
pid, secs, names = sys.argv[1], float(sys.argv[2]), set(sys.argv[3:])
def count():
    n = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        base = f"/proc/{pid}/task/{tid}"
        try:
            if open(f"{base}/comm").read().strip() not in names: continue
            for line in open(f"{base}/status"):
                if line.startswith("voluntary_ctxt_switches"): n += int(line.split()[1])
        except OSError: pass
    return n
a = count(); time.sleep(secs); b = count()
print(f"{(b - a) / secs:.1f}")
PY
}

run() {   # label max_per_s args...
    local label=$1 max=$2; shift 2
    local port=$((20000 + RANDOM % 20000))
    SDL_AUDIODRIVER=dummy "$CS" -q play --port $port "$@" >"$T/$label.log" 2>&1 &
    local pid=$!
    sleep 2   # start-up: device, loads
    local w
    w=$(wakeups $pid 3 cs cs-reader)
    kill $pid; wait $pid 2>/dev/null
    if [ -z "$w" ]; then fail "$label" "could not read /proc/$pid: $(cat "$T/$label.log")"
    elif near "$w" 0 "$max"; then pass "$label"
    else fail "$label" "$w wake-ups/s of cs + cs-reader, want <= $max"; fi
    echo "$label: $w wake-ups/s"
}
run idle_wakeups 5
run two_decks_wakeups 15 --a "$T/a.wav" --b "$T/b.wav" --allow-dir "$T"
