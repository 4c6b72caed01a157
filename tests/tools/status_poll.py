"""Polls a live `cs play` for /cs/status/json and prints one line a reply:
WALL TIME_S LOST LOSSES (WALL: Unix time, TIME_S: the engine's time_s, LOST:
0/1 device_lost, LOSSES: device_losses).  Standard library only.

    python3 status_poll.py PORT SECONDS [EVERY_S] [--until-back N]

--until-back N: stop early once the reply says N losses and the device
is not lost (it came back N times).  Exit 0."""
import json, os, socket, struct, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oscmsg import msg

args = sys.argv[1:]
until_back = None
if "--until-back" in args:
    i = args.index("--until-back")
    until_back = int(args[i + 1])
    del args[i:i + 2]
port, secs = int(args[0]), float(args[1])
every = float(args[2]) if len(args) > 2 else 0.05
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
t_end = time.time() + secs
while time.time() < t_end:
    t0 = time.time()
    try:
        s.sendto(msg("/cs/status/json"), ("127.0.0.1", port))
        data, _ = s.recvfrom(65536)
        a = (data.index(b"\0") // 4 + 1) * 4
        t = a + (data.index(b"\0", a) - a) // 4 * 4 + 4
        js = data[t:data.index(b"\0", t)].decode()
        st = json.loads(js)
        print("%.3f %.3f %d %d" % (t0, st["time_s"], 1 if st.get("device_lost") else 0,
                                   st.get("device_losses", 0)), flush=True)
        if until_back is not None and st.get("device_losses", 0) >= until_back and not st.get("device_lost"):
            break
    except (socket.timeout, ValueError, KeyError):
        print("%.3f - - -" % t0, flush=True)
    d = every - (time.time() - t0)
    if d > 0:
        time.sleep(d)
