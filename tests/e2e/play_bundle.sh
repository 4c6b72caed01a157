#!/usr/bin/env bash
# run.sh: alone (its timing is part of what it checks)
# Time-tagged OSC bundles, live: SDL's disk driver as the device, 1024-frame
# buffers (23.2 ms; the driver sleeps 23 ms after writing each, so the file
# grows at about real time), a Python client on loopback building the bundle bytes.
# One bundle tagged 250 ms ahead starts decks A and B (one /play_stem each):
# both must begin on the same sample of the output, and that sample must be
# written to the device within one buffer of the tagged wall time (measured
# by watching the output file grow).  A bundle tagged in the past runs at
# once and is logged as late.
. "$(dirname "$0")/lib.sh"
PORT=$((20000 + RANDOM % 20000))
BUF=1024

# Constant left-only (A) and right-only (B) files: the first non-zero sample
# of a channel is that deck's start.
python3 - "$T" <<'EOF'
import struct, sys, wave
for name, l, r in (("a.wav", 16384, 0), ("b.wav", 0, 16384)):
    w = wave.open(sys.argv[1] + "/" + name, "wb")
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(44100)
    w.writeframes(struct.pack("<hh", l, r) * 44100 * 5)
    w.close()
EOF

SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE="$T/out.raw" \
    "$CS" play --port $PORT --buffer-size $BUF --allow-dir "$T" >"$T/log" 2>&1 &
pid=$!

python3 - "$PORT" "$T" >"$T/client" 2>&1 <<'EOF'
import os, socket, struct, sys, time
sys.path.insert(0, os.environ["CS_ROOT"] + "/tests/tools")
from oscmsg import msg, client
port, d = int(sys.argv[1]), sys.argv[2]
def bundle(t, *msgs):                      # t: Unix seconds -> NTP time tag
    ntp = t + 2208988800
    sec = int(ntp); frac = int((ntp - sec) * 2**32)
    out = b"#bundle\0" + struct.pack(">II", sec, frac)
    for m in msgs: out += struct.pack(">i", len(m)) + m
    return out
s, dst = client(port)
s.sendto(msg("/load_buffer", ",is", 100, d + "/a.wav"), dst)
s.sendto(msg("/load_buffer", ",is", 1100, d + "/b.wav"), dst)
time.sleep(0.5)
out = d + "/out.raw"
tag = time.time() + 0.25
s.sendto(bundle(tag, msg("/play_stem", ",i", 100), msg("/play_stem", ",i", 1100)), dst)
# (wall time, frames in the file) as the device writes it.
growth = []
last = -1
t_end = time.time() + 0.6
while time.time() < t_end:
    n = os.stat(out).st_size // 8
    if n != last:
        growth.append((time.time(), n)); last = n
    time.sleep(0.0002)
time.sleep(0.05)
s.sendto(bundle(time.time() - 0.1, msg("/deck_levels", ",i", 1)), dst)   # 100 ms late
time.sleep(0.1)
print("tag %.6f" % tag)
for t, n in growth: print("g %.6f %d" % (t, n))
EOF
grep "late by" "$T/log"
kill -INT $pid
wait $pid

python3 - "$T/out.raw" "$T/client" $BUF >"$T/an" <<'EOF'
import array, sys
a = array.array("f"); a.frombytes(open(sys.argv[1], "rb").read())
buf = int(sys.argv[3])
L, R = a[0::2], a[1::2]
sa = next((i for i, v in enumerate(L) if v != 0), -1)
sb = next((i for i, v in enumerate(R) if v != 0), -1)
tag, growth = None, []
for line in open(sys.argv[2]):
    f = line.split()
    if f[0] == "tag": tag = float(f[1])
    elif f[0] == "g": growth.append((float(f[1]), int(f[2])))
# The buffer holding sa was handed over when the file first held it (the
# driver writes right after the callback); sa's own time is k frames into
# that buffer.
w = next((t for t, n in growth if n > sa), None)
k = sa % buf
(t0, n0), (t1, n1) = growth[0], growth[-1]
print(sa, sb, "%.2f" % ((w + k / 44100.0 - tag) * 1000) if w is not None and sa >= 0 else "nan",
      "%.0f" % ((n1 - n0) / (t1 - t0)))
EOF
read -r sa sb err_ms rate <"$T/an"
echo "bundle start: deck A sample $sa, deck B sample $sb, device hand-over vs tag: $err_ms ms (one buffer = 23.2 ms; the disk device ran at $rate frames/s)"
[ "$sa" -gt 0 ] && [ "$sa" = "$sb" ] && pass two_decks_same_sample || fail two_decks_same_sample "A $sa B $sb: $(tail -5 "$T/log")"
awk -v e="$err_ms" -v b=$BUF 'BEGIN { exit !(e ~ /^-?[0-9.]+$/ && (e < 0 ? -e : e) <= 1000 * b / 44100) }' &&
    pass starts_at_tag_within_one_buffer || fail starts_at_tag_within_one_buffer "error $err_ms ms"
grep -q "late by" "$T/log" && pass late_bundle_logged || fail late_bundle_logged "$(tail -5 "$T/log")"
grep -c "late by" "$T/log" | grep -qx 1 && pass one_late_line || fail one_late_line "$(grep 'late by' "$T/log")"
