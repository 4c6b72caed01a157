#!/usr/bin/env bash
# systemd notifications (issue 21) through a fake $NOTIFY_SOCKET (a unix
# datagram socket this test binds): READY=1 once cs play listens, STATUS=
# with the one-line state, WATCHDOG=1 every WATCHDOG_USEC/2 while playing,
# still while a lost device is reopened (the stand-in clock runs the set),
# and none once the audio callback hangs inside the engine (CS_TEST_AUDIO
# =hang), so systemd would restart it.  The unit file asks for all this.
# run.sh: waits (about 30 s of timers at under 1 s of CPU: runs beside the others)
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { skip all "python3 not installed"; exit 0; }
U=$CS_ROOT/dist/cs-play.service.in
grep -q '^Type=notify$' "$U" && grep -q '^WatchdogSec=[0-9]' "$U" && grep -q '^NotifyAccess=main$' "$U" \
    && pass unit_asks_notify || fail unit_asks_notify "$(grep -E '^(Type|Watchdog|Notify)' "$U")"

# listen SOCK OUT SECONDS: every datagram as "MONOTONIC_S TEXT" (newlines as |).
listen() {
    python3 - "$@" <<'PY' &
import socket, sys, time
path, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.2)
end = time.monotonic() + secs
with open(out, "w") as f:
    while time.monotonic() < end:
        try:
            d = s.recv(4096)
        except socket.timeout:
            continue
        f.write("%.3f %s\n" % (time.monotonic(), d.decode().replace("\n", "|")))
        f.flush()
PY
}

# run NAME SECONDS [FAULT]: cs play with WATCHDOG_USEC=1 s for SECONDS.
run() {
    local name=$1 secs=$2 fault=${3:-} port=$((20000 + RANDOM % 20000))
    listen "$T/$name.sock" "$T/$name.msgs" $((secs + 2))
    local l=$!
    for _ in $(seq 50); do [ -S "$T/$name.sock" ] && break; sleep 0.05; done
    CS_TEST_AUDIO=$fault NOTIFY_SOCKET=$T/$name.sock WATCHDOG_USEC=1000000 SDL_AUDIODRIVER=dummy \
        "$CS_REL" play --bind 127.0.0.1 --port $port >"$T/$name.log" 2>&1 &
    local p=$!
    sleep "$secs"
    kill -KILL $p; wait $p 2>/dev/null
    wait $l
}

run ok 4
grep -q ' READY=1|STATUS=.*BPM' "$T/ok.msgs" && pass ready_with_status || fail ready_with_status "$(head -3 "$T/ok.msgs")"
stats() {   # NAME FROM TO: pings between FROM and TO s after READY, and the largest gap
    awk -v from="$2" -v to="$3" '/READY=1/ { r = $1 } r && /WATCHDOG=1/ { t = $1 - r; if (t >= from && t <= to) {
        n++; if (last != "" && t - last > gap) gap = t - last; last = t } }
        END { printf "%d %.3f %.3f\n", n, gap, last }' "$T/$1.msgs"
}
read -r n gap _ < <(stats ok 0 4)
echo "measured: $n WATCHDOG=1 in ~4 s, largest gap $gap s (WATCHDOG_USEC=1 s: every 0.5 s)"
[ "$n" -ge 5 ] && near "$gap" 0.5 0.3 && pass watchdog_while_playing || fail watchdog_while_playing "$n pings, gap $gap s"

# The device lost 2.5..4.5 s: the pings go on (the set plays on), STATUS says so.
run lost 6 remove@2.5+2
read -r n gap _ < <(stats lost 0 6)
echo "measured: device lost 2.5..4.5 s: $n WATCHDOG=1 in ~6 s, largest gap $gap s"
[ "$n" -ge 8 ] && near "$gap" 0.5 0.3 && pass watchdog_while_reopening || fail watchdog_while_reopening "$n pings, gap $gap s"
grep -q 'STATUS=DEVICE LOST since' "$T/lost.msgs" && pass status_says_lost \
    || fail status_says_lost "$(grep -o 'STATUS=.*' "$T/lost.msgs" | sort -u | head -3)"

# The callback hangs inside the engine at 2.5 s: no ping after ~3 s.
run hang 6 hang@2.5
read -r n _ last < <(stats hang 0 6)
read -r after _ _ < <(stats hang 3.2 6)
echo "measured: callback hung at 2.5 s: last WATCHDOG=1 at $last s, $after after 3.2 s"
[ "$n" -ge 3 ] && [ "$after" = 0 ] && pass watchdog_stops_when_stalled \
    || fail watchdog_stops_when_stalled "$n pings, $after after the hang (last at $last s)"

# Waiting for the sound card at boot (--device-wait): the start timeout is
# extended every second and STATUS= says why, then READY=1 once it opens.
port=$((20000 + RANDOM % 20000))
listen "$T/wait.sock" "$T/wait.msgs" 6
l=$!
for _ in $(seq 50); do [ -S "$T/wait.sock" ] && break; sleep 0.05; done
NOTIFY_SOCKET=$T/wait.sock SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=$T/usb/out.raw SDL_DISKAUDIODELAY=20 \
    "$CS_REL" play --bind 127.0.0.1 --port $port --device-wait 30 >"$T/wait.log" 2>&1 &
p=$!
sleep 2.5; mkdir -p "$T/usb"; sleep 1.5
kill -INT $p; wait $p; wait $l
grep -q 'EXTEND_TIMEOUT_USEC=[0-9]*|STATUS=waiting for the audio device' "$T/wait.msgs" \
    && awk '/EXTEND_TIMEOUT/ { e = 1 } /READY=1/ && e { r = 1 } END { exit !r }' "$T/wait.msgs" \
    && pass start_waits_then_ready || fail start_waits_then_ready "$(cut -c1-80 "$T/wait.msgs" | head -4)"
