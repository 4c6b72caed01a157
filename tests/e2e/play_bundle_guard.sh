#!/usr/bin/env bash
# Bundles a sender can aim at a live cs play (issue 21), over UDP on
# loopback, SDL's disk driver as the device:
#  - 1,500 bundles tagged an hour ahead, then a /play_stem due now: it plays
#    (they used to fill the engine's fixed list of future commands, and the
#    start never came), and each is refused with the clock line, counted;
#  - with --max-ahead 7200 they are kept, on the control side, up to the
#    heap's bound (1024; the rest dropped "queue full", counted), and a
#    /play_stem due now still plays;
#  - a bundle an hour in the past says "late by 3600.0 s", not the engine's age;
#  - a bundle nested 10 deep is dropped with a line and a count;
#  - a future bundle (nested in another) still replies to its sender when it
#    runs, 0.5 s before its tag.
. "$(dirname "$0")/lib.sh"
PLAYER=${CS_REL_BIN:-$CS_REL}
python3 - "$T" <<'EOF'
import struct, sys, wave
for name, l, r in (("a.wav", 16384, 0), ("b.wav", 0, 16384)):
    w = wave.open(sys.argv[1] + "/" + name, "wb")
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(44100)
    w.writeframes(struct.pack("<hh", l, r) * 44100 * 10)
    w.close()
EOF

cat >"$T/client.py" <<'EOF'
# client.py PORT DIR MODE: drives one player; prints "key value" lines.
import json, os, socket, struct, sys, time
sys.path.insert(0, os.environ["CS_ROOT"] + "/tests/tools")
from oscmsg import msg
port, d, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def bundle(t, *elems):                    # t: Unix seconds (None: immediately)
    if t is None: sec, frac = 0, 1
    else:
        ntp = t + 2208988800; sec = int(ntp); frac = int((ntp - sec) * 2**32)
    out = b"#bundle\0" + struct.pack(">II", sec, frac)
    for m in elems: out += struct.pack(">i", len(m)) + m
    return out
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.3)
dst = ("127.0.0.1", port)
def ask(addr, want):
    for _ in range(30):
        s.sendto(msg(addr), dst)
        try:
            while True:
                data, _ = s.recvfrom(65536)
                if data.split(b"\0")[0].decode() == want: return data
        except socket.timeout: pass
    sys.exit("no reply to " + addr)
def status():
    data = ask("/cs/status/json", "/cs/status/json")
    return json.loads(data[data.index(b"{"):data.rindex(b"}") + 1])
ask("/cs/ping", "/cs/pong")
s.sendto(msg("/load_buffer", ",is", 100, d + "/a.wav"), dst)
s.sendto(msg("/load_buffer", ",is", 1100, d + "/b.wav"), dst)
time.sleep(0.3)
hour = time.time() + 3600
for i in range(1500):
    s.sendto(bundle(hour + i * 0.001, msg("/deck_levels", ",ffff", 0.5, 0.5, 0.5, 0.5)), dst)
    if i % 100 == 99: time.sleep(0.005)   # loopback's socket buffer
time.sleep(0.2)
s.sendto(msg("/play_stem", ",i", 100), dst)
time.sleep(0.4)
st = status()
print("playing", st.get("playing"))
print("waiting", st.get("bundles_waiting"))
print("ahead", st.get("bundles_dropped_ahead"))
print("full", st.get("bundles_dropped_queue_full"))
if mode == "default":
    time.sleep(1.1)      # past the flood's rate-limit window: these lines show
    s.sendto(bundle(time.time() - 3600, msg("/deck_levels", ",f", 1.0)), dst)
    inner = bundle(None, msg("/play_stem", ",i", 1100))
    for _ in range(9): inner = bundle(None, inner)     # 10 deep
    s.sendto(inner, dst)
    time.sleep(0.3)
    st = status()
    print("deep", st.get("bundles_dropped_deep"))
    print("late", st.get("late_bundles"))
    print("playing2", st.get("playing"))
    # A future bundle still replies to its sender when it runs (0.5 s
    # before its tag): /cs/ping tagged 1.2 s ahead, inside a nested one.
    t0 = time.time()
    s.sendto(bundle(t0 + 0.2, bundle(t0 + 1.2, msg("/cs/ping"))), dst)
    got = None
    s.settimeout(2.5)
    try:
        while got is None:
            data, _ = s.recvfrom(65536)
            if data.split(b"\0")[0] == b"/cs/pong": got = time.time() - t0
    except socket.timeout: pass
    print("pong_after", "%.2f" % got if got is not None else "none")
EOF

run() {   # run MODE [player options]: prints the client's lines into $T/MODE.out
    local mode=$1; shift
    local port=$((20000 + RANDOM % 20000))
    SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE="$T/$mode.raw" SDL_DISKAUDIODELAY=23 \
        "$PLAYER" play --port $port --bind 127.0.0.1 --buffer-size 1024 --allow-dir "$T" "$@" \
        >"$T/$mode.log" 2>&1 &
    local pid=$!
    CS_ROOT=$CS_ROOT python3 "$T/client.py" $port "$T" "$mode" >"$T/$mode.out" 2>&1
    kill -INT $pid; wait $pid
}
val() { awk -v k="$2" '$1 == k { print $2 }' "$T/$1.out"; }

run default
cat "$T/default.out"
[ "$(val default playing)" = 1 ] && pass flood_an_hour_ahead_then_play_now_plays ||
    fail flood_an_hour_ahead_then_play_now_plays "$(cat "$T/default.out"; tail -5 "$T/default.log")"
[ "$(val default ahead)" = 1500 ] && [ "$(val default waiting)" = 0 ] && pass an_hour_ahead_refused_counted ||
    fail an_hour_ahead_refused_counted "$(cat "$T/default.out")"
grep -q "3600.0 s ahead, beyond --max-ahead 60 s: refused; are the clocks right" "$T/default.log" &&
    pass an_hour_ahead_refused_with_the_line || fail an_hour_ahead_refused_with_the_line "$(tail -3 "$T/default.log")"
# At most 10 lines a second (the flood may straddle two seconds), the rest counted.
n=$(grep -c "too far ahead" "$T/default.log")
[ "$n" -le 20 ] && grep -q "more late or dropped bundle warnings not shown" "$T/default.log" &&
    pass refusals_rate_limited || fail refusals_rate_limited "$n lines"
grep -q "late by 3600.0 s" "$T/default.log" && [ "$(val default late)" = 1 ] && pass an_hour_past_true_lateness ||
    fail an_hour_past_true_lateness "$(grep 'late by' "$T/default.log")"
grep -q "nested 10 deep" "$T/default.log" && [ "$(val default deep)" = 1 ] && [ "$(val default playing2)" = 1 ] &&
    pass nested_10_deep_logged_and_counted || fail nested_10_deep_logged_and_counted "$(cat "$T/default.out")"

p=$(val default pong_after)
[ "$p" != none ] && near "$p" 0.7 0.25 && pass future_bundle_replies_when_it_runs ||
    fail future_bundle_replies_when_it_runs "pong after $p s (expected ~0.7: 1.2 s tag - 0.5 s lead)"

run wide --max-ahead 7200
cat "$T/wide.out"
[ "$(val wide playing)" = 1 ] && pass kept_an_hour_ahead_then_play_now_plays ||
    fail kept_an_hour_ahead_then_play_now_plays "$(cat "$T/wide.out"; tail -5 "$T/wide.log")"
[ "$(val wide waiting)" = 1024 ] && [ "$(val wide full)" = 476 ] && grep -q "queue full" "$T/wide.log" &&
    pass waiting_heap_bounded_counted || fail waiting_heap_bounded_counted "$(cat "$T/wide.out")"
