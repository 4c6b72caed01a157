#!/usr/bin/env bash
# Transitions on real music (issue 19): two ProTracker modules of Debian's
# tecnoballz-data at 125 BPM, cs analyze -> index -> export --set -> play
# --set --loop-set at 125 BPM (a rung: every deck plays at rate 1), then
# measured in the render: no gap over 250 ms below -40 dBFS, and at every
# track change the incoming track's downbeat on the outgoing one's within
# 15 ms.  Where each part sounds in the mix is measured from the audio
# (tests/tools/mixcheck.c match: the part's samples found, sample-exact, in a
# stretch where the track plays alone), the downbeats are the analysed
# grid's (set.json).
. "$(dirname "$0")/lib.sh"
MODS=/usr/share/games/tecnoballz/musics
[ -d "$MODS" ] || { skip all "tecnoballz-data not installed (scripts/install-deps.sh installs it)"; exit 0; }
MC=$TOOLS/mixcheck
[ -x "$MC" ] || { skip all "no $MC (make build/rel/tools/mixcheck)"; exit 0; }
export CS_DB=$T/db
mkdir -p "$T/mods"
for m in over-theme high-score; do cp "$MODS/$m.mod" "$T/mods/"; done
"$CS_REL" analyze "$T/mods" --out "$T/st" -j 2 >"$T/analyze.log" 2>&1 || { fail setup "cs analyze: $(tail -2 "$T/analyze.log")"; exit 0; }
"$CS_REL" index "$T/st" >/dev/null 2>&1
"$CS_REL" export --bpm 125 --delta 1 --n-sections 2 --ladder 117:133:4 --stretch rate --set "$T/set" -j 2 \
    --no-progress >"$T/export.log" 2>&1 || { fail setup "cs export: $(tail -2 "$T/export.log")"; exit 0; }
(cd / && "$CS_REL" --db "$T/none.db" play --set "$T/set" --loop-set --bpm 125 --render "$T/mix.wav" --duration 100) \
    >"$T/play.log" 2>&1 || { fail play "$(tail -2 "$T/play.log")"; exit 0; }
"$MC" gaps "$T/mix.wav" >"$T/gaps.txt"
sed 's/^/  /' "$T/gaps.txt"
check no_gap_over_250ms grep -q "^gaps_over_250ms 0$" "$T/gaps.txt"
python3 - "$T" "$MC" >"$T/report.txt" <<'PY'
import json, os, re, subprocess, sys
T, MC = sys.argv[1], sys.argv[2]
m = json.load(open(f"{T}/set/set.json"))
tr = {os.path.splitext(os.path.basename(t["path"]))[0]: t for t in m["tracks"]}
def part(name, rung):
    p = [p for p in tr[name]["parts"] if abs(p["bpm"] - rung) < 1e-6][0]
    return f"{T}/set/{p['file']}", p["speed"]
def locate(name, rung, t0, t1, expect):
    f, _ = part(name, rung)
    out = subprocess.run([MC, "match", f"{T}/mix.wav", f, str((t0 + t1) / 2), str(expect)],
                         capture_output=True, text=True).stdout.split()
    return float(out[1]), float(out[3])
log = open(f"{T}/play.log").read()
rungs = {}
bad = n = 0
for x in re.finditer(r"track \d+/\d+: (\S+) on deck [AB] \(rung ([\d.]+)\)", log):
    rungs.setdefault(x.group(1), float(x.group(2)))
for x in re.finditer(r"track \d+/\d+: (\S+) on deck [AB] \(rung ([\d.]+)\) at ([\d.]+) s, on beat ([\d.]+) s of "
                     r"(\S+), bar .*?its downbeat at ([\d.]+) s on that downbeat; fade (\d+) bars \(([\d.]+) s\)", log):
    b, rb, t, ua, a, ub, bars, fade = x.group(1), float(x.group(2)), float(x.group(3)), float(x.group(4)), \
        x.group(5), float(x.group(6)), int(x.group(7)), float(x.group(8))
    ra = rungs[a]
    sa, sb = part(a, ra)[1], part(b, rb)[1]
    if t - 3 < 0.5 or t + fade + 3 > 99: continue
    n += 1
    La, ca = locate(a, ra, t - 2.8, t - 0.3, t - ua / sa)
    Lb, cb = locate(b, rb, t + fade + 0.3, t + fade + 2.8, t - ub / sb)
    tb = ub / sb + Lb                        # the incoming downbeat in the mix
    da = min(tr[a]["downbeats"], key=lambda d: abs(d / sa + La - tb))
    err = abs(da / sa + La - tb)
    ok = err <= 0.015 and ca < 1e-3 and cb < 1e-3
    bad += not ok
    print(f"{a} -> {b} at {t:.3f} s: incoming downbeat {tb:.4f} s, outgoing downbeat {da / sa + La:.4f} s, "
          f"err {err * 1000:.1f} ms (residual {ca:.1g}/{cb:.1g}){'' if ok else '  BAD'}")
print(f"changes {n}, off {bad}")
sys.exit(1 if bad or n < 2 else 0)
PY
check downbeat_on_downbeat [ $? -eq 0 ]
sed 's/^/  /' "$T/report.txt"
