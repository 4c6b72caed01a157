#!/usr/bin/env bash
# run.sh: alone (its timing is part of what it checks)
# cs play live: SDL's disk driver as the device, real OSC over loopback
# (oscsend and a small Python client for replies, IPv4 and IPv6).
. "$(dirname "$0")/lib.sh"
command -v oscsend >/dev/null || { skip all "oscsend (liblo-tools) not installed"; exit 0; }
command -v sox >/dev/null || { skip all "sox not installed"; exit 0; }

sox -n -r 44100 -c 2 -b 16 "$T/s440.wav" synth 600 sine 440 vol 0.5   # 10 minutes
PORT=$((20000 + RANDOM % 20000))

cat >"$T/osc.py" <<'EOF'
import socket, struct, sys
import os; sys.path.insert(0, os.environ["CS_ROOT"] + "/tests/tools")
from oscmsg import msg, pad
host, port, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(2)
if what == "garbage":
    s.sendto(b"\x01\x02garbage!", (host, port)); s.sendto(msg("/cs/ping"), (host, port))
elif what == "arraytags":
    s.sendto(msg("/reset", ",[]"), (host, port)); s.sendto(msg("/cs/ping", ",[]"), (host, port))
else:
    s.sendto(msg(what), (host, port))
data, _ = s.recvfrom(4096)
print(data.split(b"\0")[0].decode())
EOF

SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE="$T/out.raw" SDL_DISKAUDIODELAY=20 \
    "$CS" play --port $PORT --buffer-size 1024 --allow-dir "$T" --dummy_after 0.5 --dummy_args hello -1 >"$T/log" 2>&1 &
pid=$!
ok=
for _ in $(seq 50); do
    r=$(python3 "$T/osc.py" 127.0.0.1 $PORT /cs/ping 2>/dev/null) && [ "$r" = /cs/pong ] && { ok=1; break; }
    sleep 0.1
done
[ -n "$ok" ] && pass ping_pong_ipv4 || fail ping_pong_ipv4 "no /cs/pong: $(cat "$T/log")"
r=$(python3 "$T/osc.py" ::1 $PORT /cs/ping 2>&1)
[ "$r" = /cs/pong ] && pass ping_pong_ipv6 || skip ping_pong_ipv6 "no IPv6 loopback here ($r)"
r=$(python3 "$T/osc.py" 127.0.0.1 $PORT arraytags 2>&1)
[ "$r" = /cs/pong ] && pass array_typetags_accepted || fail array_typetags_accepted "$r"
r=$(python3 "$T/osc.py" 127.0.0.1 $PORT garbage 2>&1)
[ "$r" = /cs/pong ] && pass malformed_packet_survived || fail malformed_packet_survived "$r"

# A 10-minute file cues and starts quickly (no whole-file decode).
t0=$(date +%s%N)
oscsend localhost $PORT /cue ss A "$T/s440.wav"
oscsend localhost $PORT /start_group ss A 0
oscsend localhost $PORT /deck_levels s 0.5
for i in $(seq 20); do oscsend localhost $PORT /pose/keypoints fff 1 2 3; done
oscsend localhost $PORT /dance/total_movement f 0.5
sleep 1.2
r=$(python3 "$T/osc.py" 127.0.0.1 $PORT /cs/status 2>&1)
[ "$r" = /cs/status ] && pass cs_status_reply || fail cs_status_reply "$r"
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 0 ] && grep -q "underruns:" "$T/log" && pass sigint_summary || fail sigint_summary "rc $rc: $(tail -3 "$T/log")"
grep -q "deck A cued" "$T/log" || fail cue_logged "$(cat "$T/log")"

# The disk file holds the played audio: the sine at half level appears
# within ~200 ms of the cue (load + start), with no stream underruns.
python3 - "$T/out.raw" >"$T/an" <<'EOF'
import array, sys
a = array.array("f"); a.frombytes(open(sys.argv[1], "rb").read())
L = a[0::2]
first = next((i for i, v in enumerate(L) if abs(v) > 1e-4), -1)
print(len(L), first, max(abs(v) for v in L[-20000:]) if len(L) > 20000 else 0)
EOF
read -r n first pk <"$T/an"
[ "$first" -ge 0 ] && near "$pk" 0.1287 0.005 && pass disk_output_has_sine || fail disk_output_has_sine "frames $n first $first peak $pk"
grep -q "underruns: 0 stream" "$T/log" && pass no_stream_underruns || fail no_stream_underruns "$(grep underruns "$T/log")"
# The keypoint flood: one line for the address, then counted (issue 12).
n=$(grep -c "keypoints" "$T/log")
[ "$n" = 2 ] && grep -q "OSC /pose/keypoints: unknown address, ignored (said once" "$T/log" \
    && grep -q "unknown OSC addresses: 20 messages (/pose/keypoints x20)" "$T/log" && pass flood_logged_once_counted \
    || fail flood_logged_once_counted "$n lines: $(grep keypoints "$T/log")"
grep -q "^dummy: hello -1$" "$T/log" && pass dummy_after_live || fail dummy_after_live "no 'dummy: hello -1' in the log"
