#!/usr/bin/env python3
"""Live cs play cost: CPU per second and wake-ups per second, idle and with
two decks, at --buffer-size 1024 and 256, beside the offline render of the same
two decks measured in the same run.  SDL plays to its dummy driver (a real
device's thread wakes the same way: once per buffer).

CPU is each thread's time on a CPU from /proc/PID/task/TID/schedstat (ns, not
the 10 ms ticks of /proc/PID/stat); wake-ups are the threads' context switches
(voluntary + involuntary) from /proc/PID/task/TID/status.  Both are read after
a second of warm-up and again SECONDS later.

Targets (issue 11): idle under 1 ms/s and under 50 wake-ups/s; two decks live
within 2x the offline render's CPU per second of audio.
Usage: live.py CS_BINARY A.wav B.wav [SECONDS]"""
import os
import random
import resource
import subprocess
import sys
import tempfile
import time


def threads(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        base = f"/proc/{pid}/task/{tid}"
        try:
            with open(f"{base}/comm") as f:
                name = f.read().strip()
            with open(f"{base}/schedstat") as f:
                ns = int(f.read().split()[0])
            sw = 0
            with open(f"{base}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        sw += int(line.split()[1])
        except OSError:
            continue
        out[tid] = (name, ns, sw)
    return out


def live(cs, args, seconds):
    port = str(20000 + random.randrange(20000))
    env = dict(os.environ, SDL_AUDIODRIVER="dummy")
    p = subprocess.Popen([cs, "-q", "play", "--port", port] + args, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.0)
    a = threads(p.pid)
    time.sleep(seconds)
    b = threads(p.pid)
    p.terminate()
    p.wait()
    per = {}
    for tid, (name, ns, sw) in b.items():
        ns0, sw0 = (a[tid][1], a[tid][2]) if tid in a else (0, 0)
        n = per.setdefault(name, [0.0, 0.0])
        n[0] += (ns - ns0) / 1e6 / seconds
        n[1] += (sw - sw0) / seconds
    cpu = sum(v[0] for v in per.values())
    wake = sum(v[1] for v in per.values())
    return cpu, wake, per


def render_cpu(cs, args, seconds):
    with tempfile.TemporaryDirectory() as d:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([cs, "-q", "play", "--render", f"{d}/out.wav", "--duration", str(seconds)] + args,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu * 1000.0 / seconds


def show(label, cpu, wake, per):
    threads_txt = ", ".join(f"{n} {v[0]:.2f} ms/s {v[1]:.0f}/s" for n, v in sorted(per.items()))
    print(f"{label:<28} {cpu:7.3f} ms/s CPU  {wake:6.1f} wake-ups/s  ({threads_txt})")


def main():
    cs, a, b = sys.argv[1:4]
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
    decks = ["--a", a, "--b", b]
    off = render_cpu(cs, decks, 60)
    print(f"{'offline render, two decks':<28} {off:7.3f} ms CPU per s of audio (one process, includes start-up)")
    cpu, wake, per = live(cs, [], seconds)
    show("live idle (1024)", cpu, wake, per)
    print(f"  idle targets: < 1 ms/s: {'met' if cpu < 1 else 'MISSED'}; "
          f"< 50 wake-ups/s: {'met' if wake < 50 else 'MISSED'}")
    for buf in ("1024", "256"):
        cpu, wake, per = live(cs, decks + ["--buffer-size", buf], seconds)
        show(f"live two decks ({buf})", cpu, wake, per)
        print(f"  {cpu / off:.2f}x the offline cost (target <= 2x: {'met' if cpu <= 2 * off else 'MISSED'})")


if __name__ == "__main__":
    main()
