"""Measures the track changes of a rendered ladder set (tests/e2e/transitions.sh).

usage: transitions.py ONSETS ENV META ORDER [--fade-bars N]
  ONSETS: `mixcheck onsets` lines "F TIME PEAK" for every track's downbeat (D)
          and phrase (P) marker frequency.
  ENV:    `mixcheck env` rows "TIME E1 E2 ..." for the tracks' bass tones, in
          META's order of names.
  META:   JSON {name: {"D": Hz, "P": Hz, "B": Hz, "phrase": bars}} of the pool.
  ORDER:  the names in play order (comma-separated), as many as changed.
Prints one line per transition and the totals:
  downbeat_ok N/M     the incoming's downbeats fall on the outgoing's (<= 15 ms)
  phrase_ok N/M       the incoming's phrase grid on the outgoing's
  bass_overlap_max_beats X   longest time both basslines >= -6 dB of full
  fade_bars_err_max_beats X  (with --fade-bars) |measured - N bars|
Downbeats: where both tracks sound, each incoming downbeat's nearest
outgoing one; else (a fade of a bar or less, its edge downbeats at gain 0)
the incoming's first audible downbeat against the outgoing's last one
extended by its own bar period.  Phrases: the bars since each track's phrase
marker at the pairing downbeat (the incoming's counted back from its next
marker) must agree.  Fade length: the span from the incoming's first audible
downbeat to the outgoing's last, plus the two edge bars where one deck is
at gain 0.
"""
import json, sys

onsets_f, env_f, meta_f, order = sys.argv[1:5]
fade_bars = int(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[5] == "--fade-bars" else 0
meta = json.load(open(meta_f))
names = list(meta)
order = [o for o in order.split(",") if o]
raw = {}
for line in open(onsets_f):
    f, t, p = line.split()
    raw.setdefault(float(f), []).append((float(t), float(p)))
# A marker is the track's own when it reaches 1/12 (-22 dB) of the band's
# loudest: other markers and clicks leak in at about -36 dB.
ons = {f: [t for t, p in v if p >= max(q for _, q in v) / 12] for f, v in raw.items()}
D = {n: sorted(ons.get(float(meta[n]["D"]), [])) for n in names}
P = {n: sorted(ons.get(float(meta[n]["P"]), [])) for n in names}
rows = [list(map(float, l.split())) for l in open(env_f)]
hop = rows[1][0] - rows[0][0]
env = {n: [r[1 + k] for r in rows] for k, n in enumerate(names)}
full = {n: max(env[n]) for n in names}   # a steady tone: its solo level

def bar_of(ts, t):
    """The bar period around t from a track's downbeats."""
    near = sorted(ts, key=lambda x: abs(x - t))[:6]
    near.sort()
    d = sorted(b - a for a, b in zip(near, near[1:]) if b - a > 0.5)
    return d[len(d) // 2] if d else 2.0

n_db = n_ph = n = 0
worst_db = worst_bass = worst_fade = 0.0
for a, b in zip(order, order[1:]):
    n += 1
    Da, Db = D[a], D[b]
    if not Db or not Da:
        print(f"{a} -> {b}: no downbeats found"); continue
    fb = Db[0]
    la = [t for t in Da if t <= Db[-1]][-1]
    bar = bar_of(Da, min(fb, la))
    both = [t for t in Db if t <= la + 0.05]
    errs = []
    for t in both:
        errs.append(min(abs(t - x) for x in Da))
    if not both:   # no overlap of audible downbeats: extend the outgoing's grid
        k = round((fb - la) / bar)
        errs.append(abs(fb - (la + k * bar)))
    err = max(errs)
    ok_db = err <= 0.015
    n_db += ok_db
    worst_db = max(worst_db, err)
    # phrases: bars since the outgoing's phrase marker at fb
    pa = [t for t in P[a] if t <= fb + 0.05 and t >= fb - 20 * bar]
    La, Lb = meta[a]["phrase"], meta[b]["phrase"]
    if pa:
        ph_a = round((fb - pa[-1]) / bar) % La
    else:
        nxt = [t for t in P[a] if t > fb]
        ph_a = (La - round((nxt[0] - fb) / bar)) % La if nxt else -1
    pb = [t for t in P[b] if t >= fb - 0.05]
    ph_b = (Lb - round((pb[0] - fb) / bar)) % Lb if pb else -1
    ok_ph = ok_db and ph_a >= 0 and ph_a == ph_b   # a phrase is on a downbeat first
    n_ph += ok_ph
    # bass overlap over the change
    i0, i1 = int((fb - 3 * bar - rows[0][0]) / hop), int((la + 3 * bar - rows[0][0]) / hop)
    ov = sum(1 for i in range(max(i0, 0), min(i1, len(rows)))
             if env[a][i] >= 0.5 * full[a] and env[b][i] >= 0.5 * full[b]) * hop
    beats_ov = ov / (bar / 4)
    worst_bass = max(worst_bass, beats_ov)
    fade = (la - fb) / bar + 2
    line = (f"{a} -> {b}: at {fb:.3f} s, downbeat err {err * 1000:.1f} ms {'ok' if ok_db else 'OFF'}; "
            f"phrase bar {ph_a}/{La} vs {ph_b}/{Lb} {'ok' if ok_ph else 'OFF'}; bass overlap {beats_ov:.2f} beats; "
            f"fade {fade:.2f} bars")
    if fade_bars:
        worst_fade = max(worst_fade, abs(fade - fade_bars) * 4)
    print(line)
print(f"downbeat_ok {n_db}/{n}")
print(f"downbeat_err_max_ms {worst_db * 1000:.1f}")
print(f"phrase_ok {n_ph}/{n}")
print(f"bass_overlap_max_beats {worst_bass:.2f}")
if fade_bars:
    print(f"fade_bars_err_max_beats {worst_fade:.2f}")
