#!/usr/bin/env python3
"""cs play against the floor (issue 26), in one run, on one audio driver:
CPU ms per second of audio and voluntary context switches per second (all
threads, SDL's device thread included) of
  - the floor: tests/tools/sdlplay, a bare SDL2 player of one WAV, and
    the same device opened paused (SDL2's device thread still wakes once
    per buffer while paused: why cs keeps its device open when idle);
  - cs idle, cs with 2 decks (the original's OSC: /load_buffer, /play_stem),
    cs with a ladder set live (tests/tools/mkset.py, the tempo gliding
    across rungs, track changes), and the same set at a steady tempo;
  - cs's own offline render of the same 2 decks and ladder set (marginal CPU:
    a long and a short render, the difference per second of audio);
  - the original server (timmd-9216/crowdstream's audio-mixer/audio_server.py)
    with the same 2 decks, when CS_ORIGINAL names how to run it (e.g.
    CS_ORIGINAL="python3 /opt/crowdstream/audio-mixer/audio_server.py
    --disable-filters"; its --port is added), and its own floor when
    CS_ORIGINAL_FLOOR names one (else the same sdlplay floor).
Prints the ratios cs / floor and, with the original, (cs - floor) /
(original - its floor).  Not pass/fail.
Env: SDL_AUDIODRIVER (dummy), FRAMES (1024), LIVE_SECONDS (10), CS_ORIGINAL,
CS_ORIGINAL_FLOOR.  Usage: floor.py CS_BINARY SDLPLAY_BINARY"""
import os
import random
import resource
import shlex
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, ROOT + "/tests/tools")
from oscmsg import msg  # noqa: E402


def counters(pid):
    ns = sw = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        base = f"/proc/{pid}/task/{tid}"
        try:
            with open(f"{base}/schedstat") as f:
                ns += int(f.read().split()[0])
            with open(f"{base}/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        sw += int(line.split()[1])
        except OSError:
            continue
    return ns, sw


def send(port, *msgs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for m in msgs:
        s.sendto(m, ("127.0.0.1", port))
        time.sleep(0.05)


def live(cmd, seconds, port=None, after=(), env=None):
    """CPU ms/s and voluntary context switches/s of cmd's process, over
    `seconds` after a 2 s warm-up (the OSC messages `after` sent first)."""
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        if after:
            send(port, *after)
        time.sleep(1.0)
        if p.poll() is not None:
            return None
        ns0, sw0 = counters(p.pid)
        t0 = time.monotonic()
        time.sleep(seconds)
        ns1, sw1 = counters(p.pid)
        dt = time.monotonic() - t0
    finally:
        p.terminate()
        p.wait()
    return (ns1 - ns0) / 1e6 / dt, (sw1 - sw0) / dt


def render_cpu(cmd_for):
    """Marginal CPU ms per second of audio of an offline render: a 60 s and
    a 15 s render, the difference over 45 s (start-up paid once)."""
    def run(d):
        with tempfile.TemporaryDirectory() as t:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(cmd_for(f"{t}/out.wav", d), check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (run(60) - run(15)) * 1000.0 / 45


def main():
    cs, sdlplay = sys.argv[1:3]
    frames = os.environ.get("FRAMES", "1024")
    seconds = float(os.environ.get("LIVE_SECONDS", "10"))
    env = dict(os.environ)
    env.setdefault("SDL_AUDIODRIVER", "dummy")
    driver = env["SDL_AUDIODRIVER"]
    with tempfile.TemporaryDirectory() as d:
        a, b = f"{d}/a.wav", f"{d}/b.wav"
        subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", a, "synth", "60", "sine", "110",
                        "sine", "440", "vol", "0.3"], check=True)
        subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", b, "synth", "60", "pinknoise",
                        "vol", "0.2"], check=True)
        subprocess.run([sys.executable, ROOT + "/tests/tools/mkset.py", f"{d}/set", "30", "3"], check=True)
        decks = [msg("/load_buffer", ",is", 100, a), msg("/load_buffer", ",is", 1100, b),
                 msg("/play_stem", ",if", 100, 1.0), msg("/play_stem", ",if", 1100, 1.0),
                 msg("/deck_levels", ",ffff", 0.7, 0.7, 0.0, 0.0)]

        def cs_live(extra, after=()):
            port = 20000 + random.randrange(20000)
            return live([cs, "-q", "play", "--port", str(port), "--bind", "127.0.0.1", "--buffer-size", frames,
                         "--allow-dir", d] + extra, seconds, port, after, env)

        rows = {}
        rows["floor"] = live([sdlplay, a, frames], seconds, env=env)
        rows["floor, paused"] = live([sdlplay, a, frames, "0", "paused"], seconds, env=env)
        rows["cs idle"] = cs_live([])
        rows["cs 2 decks"] = cs_live([], decks)
        rows["cs ladder set"] = cs_live(["--set", f"{d}/set", "--loop-set", "--bpm", "117"],
                                        [msg("/cs/bpm", ",f", 123.0)])
        rows["cs set, steady"] = cs_live(["--set", f"{d}/set", "--loop-set", "--bpm", "120"])
        off2 = render_cpu(lambda out, s: [cs, "-q", "play", "--a", a, "--b", b, "--render", out, "--duration", str(s)])
        offl = render_cpu(lambda out, s: [cs, "-q", "play", "--set", f"{d}/set", "--loop-set", "--bpm", "117",
                                          "--render", out, "--duration", str(s)])
        orig = os.environ.get("CS_ORIGINAL")
        if orig:
            port = 20000 + random.randrange(20000)
            rows["original 2 decks"] = live(shlex.split(orig) + ["--port", str(port)], seconds, port, decks, env)
            of = os.environ.get("CS_ORIGINAL_FLOOR")
            rows["original's floor"] = live(shlex.split(of), seconds, env=env) if of else rows["floor"]

    print(f"cs play against the floor: SDL driver '{driver}', {frames}-frame buffers, {seconds:g} s each "
          f"({os.uname().machine}, {os.cpu_count()} CPUs)")
    fl = rows["floor"]
    print(f"  {'':<20} {'CPU ms/s':>9} {'ctx sw/s':>9} {'CPU / floor':>12} {'ctx / floor':>12}")
    for name, r in rows.items():
        if r is None:
            print(f"  {name:<20} did not run")
            continue
        print(f"  {name:<20} {r[0]:9.2f} {r[1]:9.1f} {r[0] / fl[0]:11.2f}x {r[1] / fl[1]:11.2f}x")
    print(f"  offline render, 2 decks:   {off2:6.2f} CPU ms per s of audio; live 2 decks / offline "
          f"{rows['cs 2 decks'][0] / off2:.2f}x" if rows["cs 2 decks"] and off2 > 0 else "")
    print(f"  offline render, ladder set: {offl:6.2f} CPU ms per s of audio; live set / offline "
          f"{rows['cs ladder set'][0] / offl:.2f}x" if rows["cs ladder set"] and offl > 0 else "")
    if "original 2 decks" in rows and rows["original 2 decks"] and rows["original's floor"]:
        o, of = rows["original 2 decks"], rows["original's floor"]
        c = rows["cs 2 decks"]
        print(f"  2 decks above the floor, cs / original: CPU {(c[0] - fl[0]) / (o[0] - of[0]):.3f}, "
              f"ctx switches {(c[1] - fl[1]) / (o[1] - of[1]):.3f}")
    else:
        print("  original server: not installed (set CS_ORIGINAL to how to run timmd-9216/crowdstream's "
              "audio-mixer/audio_server.py); its column skipped")


if __name__ == "__main__":
    main()
