#!/usr/bin/env python3
"""A small synthetic ladder set for live tests and benches: N tracks of
sine tones (each its own pitch, a click on every beat), rendered at three
rungs with sox, and the set.json that `cs play --set DIR` reads
(docs/contract.md "The set folder").  The audio is not musical; its beat
grid and rung files are exact, which is all a wake-rate or timing check
needs.
Usage: mkset.py DIR [SECONDS_PER_TRACK] [N_TRACKS]"""
import json
import os
import subprocess
import sys


def main():
    d = sys.argv[1]
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    rungs = (116, 120, 124)
    tracks = []
    for i in range(n):
        name, bpm, f0 = f"t{i + 1}", 120.0 + 2 * i, 220 + 110 * i
        parts = []
        for r in rungs:
            speed = r / bpm
            os.makedirs(f"{d}/{r}", exist_ok=True)
            fn = f"{r}/{name}.wav"
            subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", f"{d}/{fn}", "synth",
                            f"{secs / speed:.3f}", "sine", str(f0), "vol", "0.3"], check=True)
            frames = int(subprocess.run(["soxi", "-s", f"{d}/{fn}"], check=True, capture_output=True,
                                        text=True).stdout)
            parts.append({"file": fn, "bpm": r, "speed": speed, "frames": frames,
                          "bytes": os.path.getsize(f"{d}/{fn}")})
        beats = [k * 60.0 / bpm for k in range(int(secs * bpm / 60))]
        mid = parts[1]
        tracks.append({"path": f"{d}/{name}.wav", "key": "8A", "bpm": bpm, "ini_cue": 0,
                       "begin_cue": secs / 4, "end_cue": secs, "beats": beats,
                       "orig": dict(mid, bpm=0, speed=1), "parts": parts})
    with open(f"{d}/set.json", "w") as f:
        json.dump({"format": "cs-set", "format_version": 1, "csv": "set.csv", "ladder": True,
                   "rungs": list(rungs), "method": "rate", "tracks": tracks}, f)


if __name__ == "__main__":
    main()
