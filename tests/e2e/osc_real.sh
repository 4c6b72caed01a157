#!/usr/bin/env bash
# OSC as real senders send it (issue 10), over UDP to a live player (SDL's
# disk driver): booleans, nil, impulse, chars and blobs are not numbers; a
# numeric string must be a whole decimal number; tempos outside 20..300 BPM
# or rates the engine cannot play are refused with one line each; a message
# with no type-tag string at all is a message without arguments (python-osc
# reads it so; liblo refused it).  The tempo is read back from /cs/status.
. "$(dirname "$0")/lib.sh"
PORT=$((20000 + RANDOM % 20000))
command -v sox >/dev/null || { skip all "sox not installed"; exit 0; }
sox -n -r 44100 -c 2 -b 16 "$T/tone.wav" synth 2 sine 440 vol 0.5

cat >"$T/osc.py" <<'EOF'
import os, socket, sys
sys.path.insert(0, os.environ["CS_ROOT"] + "/tests/tools")
from oscmsg import msg, raw, first_float
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
def ask(data):
    s.sendto(data, ("127.0.0.1", port))
    reply, _ = s.recvfrom(4096)
    return reply
if sys.argv[2] == "raw":                 # no type-tag string: reply address
    print(ask(raw(sys.argv[3])).split(b"\0")[0].decode())
    sys.exit(0)
# Lines on stdin: ADDRESS|TAGS[|k:value...]; prints the tempo after each
# (/cs/status is handled after the message: in order, same socket).
for line in sys.stdin:
    f = line.rstrip("\n").split("|")
    addr, tags, args = f[0], f[1], []
    for a in f[2:]:
        k, v = a.split(":", 1)
        args.append(float(v) if k == "f" else int(v) if k == "i" else v.encode() if k == "b" else v)
    s.sendto(msg(addr, tags, *args), ("127.0.0.1", port))
    print("%s %s -> %.3f" % (addr, " ".join(f[1:]), first_float(ask(msg("/cs/status")))))
EOF
osc() { python3 "$T/osc.py" $PORT "$@" 2>&1; }

SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=/dev/null SDL_DISKAUDIODELAY=20 \
    "$CS" play --port $PORT --buffer-size 1024 --bpm 120 --allow-dir "$T" >"$T/log" 2>&1 &
pid=$!
for _ in $(seq 50); do r=$(osc raw /cs/ping) && [ "$r" = /cs/pong ] && break; sleep 0.1; done

# 1. No type-tag string: /cs/ping and /cs/status answer (were dropped, liblo error 9902).
[ "$(osc raw /cs/ping)" = /cs/pong ] && pass no_typetag_ping || fail no_typetag_ping "no /cs/pong: $(tail -2 "$T/log")"
[ "$(osc raw /cs/status)" = /cs/status ] && pass no_typetag_status || fail no_typetag_status "no reply"

# 2. Not numbers, and numbers out of range: the tempo stays 120 after each,
#    each costs one log line naming the address.
osc batch >"$T/refused" <<'EOF'
/set_tempo|,T
/set_tempo|,F
/set_tempo|,N
/set_tempo|,I
/set_tempo|,c|i:65
/set_tempo|,b|b:abcd
/set_tempo|,s|s:129abc
/set_tempo|,s|s:0x81
/set_tempo|,s|s:nan
/set_tempo|,s|s:1e999
/set_tempo|,f|f:1.0
/set_tempo|,f|f:600.0
/set_tempo|,i|i:0
/set_tempo|,f|f:25.0
EOF
n=$(wc -l <"$T/refused")
kept=$(grep -c -- "-> 120.000$" "$T/refused")
[ "$n" -eq 14 ] && [ "$kept" -eq 14 ] && pass set_tempo_refuses_non_numbers_and_out_of_range \
    || fail set_tempo_refuses_non_numbers_and_out_of_range "tempo changed: $(grep -v -- "-> 120.000$" "$T/refused" | tr '\n' ';')"
lines=$(grep -c "/set_tempo" "$T/log")
[ "$lines" -eq 14 ] && pass one_line_per_refusal || fail one_line_per_refusal "$lines log lines for 14 refusals"

# 3. What is a number is taken: a padded decimal string, an int, a float
#    inside the range (60 BPM = rate 0.5 of --bpm 120).
osc batch >"$T/taken" <<'EOF'
/set_tempo|,s|s: 128 
/set_tempo|,i|i:90
/set_tempo|,f|f:60.0
EOF
got=$(sed 's/.*-> //' "$T/taken" | tr '\n' ,)
[ "$got" = "128.000,90.000,60.000," ] && pass set_tempo_takes_numbers || fail set_tempo_takes_numbers "$got"

# 4. Every numeric argument of every address: /cs/bpm with T or 1000,
#    /play_stem with a boolean rate or a rate of 100, /deck_levels with
#    "inf", /fade with a start 1e30 s away.  Buffer 100 is loaded, so
#    only the arguments can be what is refused.
osc batch >/dev/null <<EOF
/load_buffer|,is|i:100|s:$T/tone.wav
EOF
# Error lines are rate-limited (10 in a wall-clock second, then "N more
# warnings not shown"): the 4 range refusals of part 2 and these 6 fit in
# one second on a fast machine, so part 4 starts in a second of its own.
sleep 1.1
before=$(grep -c "error" "$T/log")
osc batch >"$T/others" <<'EOF'
/cs/bpm|,T
/cs/bpm|,f|f:1000.0
/play_stem|,iT|i:100
/play_stem|,if|i:100|f:100.0
/deck_levels|,s|s:inf
/fade|,sf|s:A|f:1e30
EOF
after=$(grep -c "error" "$T/log")
[ $((after - before)) -eq 6 ] && [ "$(grep -c -- "-> 60.000$" "$T/others")" -eq 6 ] && pass other_addresses_refuse_non_numbers \
    || fail other_addresses_refuse_non_numbers "$((after - before)) error lines for 6 bad messages: $(tail -6 "$T/log" | tr '\n' ' ')"
kill -INT $pid
wait $pid
