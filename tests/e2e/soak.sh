#!/usr/bin/env bash
# Soak (issue 21): cs play live on SDL's dummy driver, a ladder set looping
# (--set --loop-set: a track change every few seconds, so part files open
# and close all the time) with a movement script (/dance/total_movement at
# 10 Hz: slow swells across the rungs, noise, idle spells) and status asks.
# Sampled every SOAK_EVERY s from /proc: resident memory, open files, CPU.
# After the warm-up (the first fifth, at least 20 s) resident memory stays
# within 2 MB of its median and does not grow (last third's median at most
# 1 MB over the first's), the player's own open files are constant (the set's part
# files come and go with the decks: at most 4), the CPU use of the first and the
# last third of the rest differ by at most 25 % (or 0.5 points of a core),
# and no stream underrun happens.  Device underruns (late callbacks of
# SDL's timer thread) are reported; SOAK_STRICT=1 fails on them too (a busy
# shared CI machine delays that thread; `make soak` is strict).
# SOAK_SECONDS (default 60 here; `make soak`: 14400 = 4 h) sets the length.
# run.sh: waits (the 60 s of playing take little CPU: runs beside the others)
. "$(dirname "$0")/lib.sh"
SECS=${SOAK_SECONDS:-60}
EVERY=${SOAK_EVERY:-$(awk -v s="$SECS" 'BEGIN { e = s / 60; if (e < 1) e = 1; if (e > 10) e = 10; print e }')}
export CS_DB=$T/db
"$CS_REL" demo "$T/lib" --tracks 8 --bars 4 >/dev/null || { fail setup "cs demo"; exit 0; }
"$CS_REL" index "$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" >/dev/null 2>&1
"$CS_REL" export --bpm 122.5 --delta 6 --n-sections 3 --ladder 110:134:4 --stretch rate -j 2 --no-progress \
    --set "$T/gig" >"$T/export.log" 2>&1 || { fail setup "cs export --set: $(tail -2 "$T/export.log")"; exit 0; }
port=$((20000 + RANDOM % 20000))
SDL_AUDIODRIVER=dummy "$CS_REL" play --set "$T/gig" --allow-dir "$T/gig" --loop-set --bind 127.0.0.1 --port $port \
    >"$T/play.log" 2>&1 &
pid=$!
python3 - "$pid" "$port" "$SECS" "$EVERY" "$T/gig" >"$T/samples.tsv" 2>"$T/soak.err" <<'PY'
import json, math, os, random, socket, sys, time
sys.path.insert(0, os.environ["CS_ROOT"] + "/tests/tools")
from oscmsg import msg
pid, port, secs, every = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
gig = os.path.realpath(sys.argv[5]) + "/"
dst = ("127.0.0.1", port)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1.0)
tick = os.sysconf("SC_CLK_TCK")
def status():
    s.sendto(msg("/cs/status/json"), dst)
    d, _ = s.recvfrom(65536)
    a = (d.index(b"\0") // 4 + 1) * 4
    t = a + (d.index(b"\0", a) - a) // 4 * 4 + 4
    return json.loads(d[t:d.index(b"\0", t)].decode())
for _ in range(100):
    try: status(); break
    except (socket.timeout, ConnectionRefusedError): time.sleep(0.1)
rnd = random.Random(21)
t0 = time.monotonic(); next_sample = t0
print("t_s rss_kb fds cpu_s underruns_stream underruns_device time_s track set_fds device_losses", flush=True)
while time.monotonic() - t0 < secs:
    t = time.monotonic() - t0
    # Movement: a 90 s swell 0..1, noise, and a 20 s idle spell every 5 min.
    if (t % 300) > 280: pass
    else:
        m = 0.5 - 0.5 * math.cos(2 * math.pi * t / 90) + rnd.uniform(-0.08, 0.08)
        s.sendto(msg("/dance/total_movement", ",f", min(1.0, max(0.0, m))), dst)
    if time.monotonic() >= next_sample:
        next_sample += every
        with open("/proc/%d/status" % pid) as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        fds = setfds = 0
        for fd in os.listdir("/proc/%d/fd" % pid):
            try: target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError: continue
            if target.startswith(gig): setfds += 1
            else: fds += 1
        with open("/proc/%d/stat" % pid) as f:
            st = f.read().rsplit(")", 1)[1].split()
        cpu = (int(st[11]) + int(st[12])) / tick
        try:
            js = status()
            us, ud, ts, tr = js["underruns_stream"], js["underruns_device"], js["time_s"], (js.get("track") or "-").split()[0]
            dl = js.get("device_losses", 0)
        except socket.timeout:
            us = ud = ts = tr = dl = "-"
        print("%.1f %d %d %.2f %s %s %s %s %d %s" % (t, rss, fds, cpu, us, ud, ts, tr, setfds, dl), flush=True)
    time.sleep(0.1)
PY
kill -INT $pid; wait $pid; rc=$?
# SOAK_KEEP=DIR keeps the samples and the player's log.
[ -n "${SOAK_KEEP:-}" ] && mkdir -p "$SOAK_KEEP" && cp "$T/samples.tsv" "$T/play.log" "$SOAK_KEEP/"
[ $rc = 0 ] && pass soak_runs || fail soak_runs "cs play exit $rc: $(tail -2 "$T/play.log")"
python3 - "$T/samples.tsv" "$SECS" >"$T/verdict" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])][1:]
rows = [r for r in rows if r[4] != "-"]
secs = float(sys.argv[2])
warm = max(20.0, secs / 5)
w = [r for r in rows if float(r[0]) >= warm]
if len(w) < 4:
    print("samples=%d" % len(w)); sys.exit()
rss = [int(r[1]) for r in w]; fds = [int(r[2]) for r in w]
third = max(2, len(w) // 3)
def rate(a, b):   # CPU use (fraction of a core) between two samples
    return (float(b[3]) - float(a[3])) / (float(b[0]) - float(a[0]))
cpu_first, cpu_last = rate(w[0], w[third - 1]), rate(w[-third], w[-1])
tracks = len(set(r[7] for r in rows))
print("samples=%d" % len(w))
print("rss_min_mb=%.2f" % (min(rss) / 1024)); print("rss_max_mb=%.2f" % (max(rss) / 1024))
print("rss_spread_mb=%.2f" % ((max(rss) - min(rss)) / 1024))
med = sorted(rss)[len(rss) // 2]
print("rss_median_mb=%.2f" % (med / 1024)); print("rss_dev_mb=%.2f" % (max(abs(x - med) for x in rss) / 1024))
print("fds_min=%d" % min(fds)); print("fds_max=%d" % max(fds))
sf = [int(r[8]) for r in w]
print("setfds_max=%d" % max(sf))
print("setfds_first_max=%d" % max(sf[:third])); print("setfds_last_max=%d" % max(sf[-third:]))
print("cpu_first=%.4f" % cpu_first); print("cpu_last=%.4f" % cpu_last)
print("cpu_all=%.4f" % rate(rows[0], rows[-1]))
print("underruns_stream=%s" % rows[-1][4]); print("underruns_device=%s" % rows[-1][5])
print("device_losses=%s" % rows[-1][9]); print("rss_first_median_mb=%.2f" % (sorted(rss[:third])[third // 2] / 1024))
print("rss_last_median_mb=%.2f" % (sorted(rss[-third:])[third // 2] / 1024))
print("set_time_s=%s" % rows[-1][6]); print("tracks_seen=%d" % tracks)
PY
. <(sed 's/^/v_/' "$T/verdict")
echo "measured soak ${SECS} s (samples every ${EVERY} s, warm-up excluded: ${v_samples:-0}): RSS ${v_rss_min_mb:-?}..${v_rss_max_mb:-?} MB (spread ${v_rss_spread_mb:-?}, median ${v_rss_median_mb:-?}; median first third ${v_rss_first_median_mb:-?}, last ${v_rss_last_median_mb:-?}), open files ${v_fds_min:-?}..${v_fds_max:-?} own + up to ${v_setfds_max:-?} set parts, CPU ${v_cpu_first:-?} -> ${v_cpu_last:-?} of a core (all ${v_cpu_all:-?}), underruns ${v_underruns_stream:-?} stream ${v_underruns_device:-?} device, device losses ${v_device_losses:-?}, set time ${v_set_time_s:-?} s, ${v_tracks_seen:-?} tracks seen; machine load $(cut -d' ' -f1-3 /proc/loadavg)"
[ "${v_samples:-0}" -ge 4 ] || { fail samples "too few samples: $(tail -3 "$T/soak.err")"; exit 0; }
# Resident memory: within +-2 MB of its median after the warm-up (issue 21),
# and no growth: the last third's median at most 1 MB over the first's (a
# leak climbs; what the decks hold swings it ~2 MB either way: one track's
# rings or two during a fade, a decoder open).
awk -v d="$v_rss_dev_mb" 'BEGIN { exit !(d <= 2) }' && pass rss_flat \
    || fail rss_flat "resident memory ${v_rss_min_mb}..${v_rss_max_mb} MB, up to ${v_rss_dev_mb} MB from its median ${v_rss_median_mb}"
awk -v a="$v_rss_first_median_mb" -v b="$v_rss_last_median_mb" 'BEGIN { exit !(b - a <= 1) }' && pass rss_no_growth \
    || fail rss_no_growth "resident memory's median grew ${v_rss_first_median_mb} -> ${v_rss_last_median_mb} MB"
# Open files: the player's own (sockets, pipes, the device, libraries)
# constant; the set's part files come and go with the two ladder decks: at
# most two per deck (playing, the next part opened), never more (a leak
# grows past that within a few track changes).
[ "$v_fds_min" = "$v_fds_max" ] && [ "$v_setfds_max" -le 4 ] \
    && pass open_files_constant \
    || fail open_files_constant "own files ${v_fds_min}..${v_fds_max}, set parts up to ${v_setfds_max} (first third ${v_setfds_first_max}, last ${v_setfds_last_max})"
# CPU does not creep up (work that piles up: a list walked each tick, a
# leak's bookkeeping).  Only growth counts: a cheaper last third is the
# machine's wobble (seen: 0.0167 -> 0.0108 of a core on an idle machine);
# a player that stopped working shows in the set's time and tracks above.
awk -v a="$v_cpu_first" -v b="$v_cpu_last" 'BEGIN { d = b - a; exit !(d <= 0.25 * a || d <= 0.005) }' \
    && pass cpu_steady || fail cpu_steady "CPU ${v_cpu_first} -> ${v_cpu_last} of a core"
[ "$v_underruns_stream" = 0 ] && pass no_stream_underruns || fail no_stream_underruns "${v_underruns_stream} stream underruns"
if [ "${SOAK_STRICT:-0}" = 1 ]; then
    [ "$v_underruns_device" = 0 ] && pass no_device_underruns || fail no_device_underruns "${v_underruns_device} device underruns"
    [ "$v_device_losses" = 0 ] && pass no_device_losses || fail no_device_losses "${v_device_losses} device losses"
fi
[ "${v_tracks_seen:-0}" -ge 3 ] && pass set_moves || fail set_moves "only ${v_tracks_seen} tracks seen in the status"
