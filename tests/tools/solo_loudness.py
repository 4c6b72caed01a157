"""Per-track loudness of a rendered ladder set, as a listener hears it.

usage: solo_loudness.py PLAYLOG EBURLOG DURATION
  PLAYLOG:  cs play's log (the "track N/M: ... at T s, on beat ... fade N
            bars (S s)" lines: where each track comes in and its fade).
  EBURLOG:  FFmpeg's `ebur128=peak=true` output for the render (an
            independent meter: momentary loudness every 100 ms, true peak).
  DURATION: the render's length, seconds.
Prints one line: "TRACKS SPREAD RISE TRUE_PEAK MIN MAX EACH...":
  each track's solo loudness: the energy mean of the momentary (400 ms)
  blocks from 0.5 s after its fade ends to 0.3 s before the next track
  comes in (a solo under a second, the render's end, is not judged), blocks
  below BS.1770's -70 LUFS absolute gate left out (the silence after the
  set's last track, which FFmpeg prints as nan or about -155); SPREAD: the
  loudest solo minus the quietest, LU; RISE: the largest momentary loudness
  during a fade over the louder neighbouring solo's median, dB (music's own
  peaks count too: a solo alone reads 1-2 dB on real music); TRUE_PEAK:
  the whole render's, dBTP.
Then a second line "fade_level DB N": over the N fades of a second or more,
the largest energy-mean loudness of a fade over the louder neighbouring
solo's (what a crossfade adds to the level, music's peaks averaged out).
"""
import math, re, sys, statistics
log, mlog, dur = sys.argv[1], sys.argv[2], float(sys.argv[3])
starts, xf = [0.0], [0.0]
for line in open(log):
    m = re.search(r"track \d+/\d+: .* at ([\d.]+) s, on beat .*fade \d+ bars \(([\d.]+) s\)", line)
    if m: starts.append(float(m.group(1))); xf.append(float(m.group(2)))
M = []
for line in open(mlog):
    m = re.search(r"t: ([\d.]+) .* M: *(-?[\d.]+|-inf) ", line)
    if m: M.append((float(m.group(1)), float(m.group(2))))
s = open(mlog).read(); s = s[s.rfind("Summary:"):]
tp = float(re.search(r"Peak:\s+(-?[\d.]+)", s).group(1))
def emean(w):
    return 10 * math.log10(sum(10 ** (v / 10) for v in w) / len(w))
solo, med, se = [], [], [None] * len(starts)
for k in range(len(starts)):
    a, b = starts[k] + xf[k] + 0.5, (starts[k + 1] if k + 1 < len(starts) else dur) - 0.3
    # BS.1770's absolute gate (-70 LUFS): the silence after the set's last
    # track is not that track (ffmpeg prints it as nan or about -155)
    w = [v for t, v in M if a + 0.4 <= t <= b and v > -70]
    if len(w) < 10:          # under a second of solo (the render's end): not judged
        med.append(None)
        continue
    # energy mean of the momentary blocks = the window's (ungated) loudness
    solo.append(emean(w))
    med.append(statistics.median(w))
    se[k] = solo[-1]
rise, level = [], []
for k in range(1, len(starts)):
    w = [v for t, v in M if starts[k] + 0.4 <= t <= starts[k] + xf[k]]
    ref = [x for x in (med[k - 1], med[k]) if x is not None]
    if w and ref: rise.append(max(w) - max(ref))
    ref = [x for x in (se[k - 1], se[k]) if x is not None]
    w = [v for v in w if v > -70]
    if len(w) >= 10 and ref: level.append(emean(w) - max(ref))
print("%d %.2f %.2f %.2f %.2f %.2f %s" % (len(starts), max(solo) - min(solo), max(rise) if rise else 0, tp,
      min(solo), max(solo), " ".join("%.1f" % x for x in solo)))
print("fade_level %.2f %d" % (max(level) if level else 0, len(level)))
