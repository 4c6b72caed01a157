"""Index benchmark (see run.sh).  Prints one line per measurement and the
targets next to them.  Usage: bench.py CS [N_STRUCTS] [N_XML_TRACKS]"""
import json, os, random, resource, shutil, subprocess, sys, tempfile, time

cs = os.path.abspath(sys.argv[1])
n_structs = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
n_xml = int(sys.argv[3]) if len(sys.argv) > 3 else 50000
tmp = tempfile.mkdtemp(prefix="cs-bench-index-")
rng = random.Random(1)
labels = ["verse", "chorus", "bridge", "break", "verse", "chorus", "outro"]


def gen_structs(d):
    os.makedirs(d)
    for i in range(n_structs):
        bpm = rng.uniform(100, 135)
        step = 60.0 / bpm
        first = rng.uniform(0, 2)
        beats = [round(first + k * step, 2) for k in range(500)]
        segs, t = [{"start": 0.0, "end": round(first, 2), "label": "start"}], first
        for lab in ["intro"] + labels:
            end = t + 32 * step
            segs.append({"start": round(t, 2), "end": round(end, 2), "label": lab})
            t = end
        doc = {"path": "/music/track %05d.wav" % i, "bpm": round(bpm), "beats": beats,
               "downbeats": beats[::4], "beat_positions": [k % 4 + 1 for k in range(500)],
               "segments": segs}
        with open(os.path.join(d, "track %05d.json" % i), "w") as f:
            json.dump(doc, f)


def gen_xml(path):
    keys = ["8A", "Gm", "F#m", "5A", "Cm", "12B", ""]
    with open(path, "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<DJ_PLAYLISTS Version="1.0.0">\n'
                '<PRODUCT Name="rekordbox" Version="6.7.3" Company="AlphaTheta"/>\n'
                '<COLLECTION Entries="%d">\n' % n_xml)
        for i in range(n_xml):
            f.write('<TRACK TrackID="%d" Name="Track %05d" Artist="Artist %d" Kind="WAV File" '
                    'TotalTime="300" AverageBpm="%.2f" Tonality="%s" '
                    'Location="file://localhost/music/track%%20%05d.wav">\n'
                    '<TEMPO Inizio="0.025" Bpm="%.2f" Metro="4/4" Battito="1"/>\n'
                    '<POSITION_MARK Name="" Type="0" Start="0.025" Num="-1"/>\n'
                    '<POSITION_MARK Name="Drop" Type="0" Start="64.5" Num="0"/>\n</TRACK>\n'
                    % (i + 1, i, i % 97, 120 + (i % 20) / 4, keys[i % 7], i, 120 + (i % 20) / 4))
        f.write('</COLLECTION>\n<PLAYLISTS><NODE Type="0" Name="ROOT" Count="0"/></PLAYLISTS>\n'
                '</DJ_PLAYLISTS>\n')


def run(args):
    """Runs cs in a fresh process; returns (seconds, its peak RSS in MB, stdout)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.monotonic()
        p = subprocess.Popen([cs] + args, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if p.returncode != 0:
            sys.exit("cs failed: %s\n%s" % (args, err.read()))
        return dt, ru.ru_maxrss / 1024.0, out.read().strip()


try:
    sd, xml, db = os.path.join(tmp, "struct"), os.path.join(tmp, "rb.xml"), os.path.join(tmp, "lib.db")
    t0 = time.monotonic()
    gen_structs(sd)
    gen_xml(xml)
    print("generated %d structs and a %d-track XML (%.1f MB) in %.1f s"
          % (n_structs, n_xml, os.path.getsize(xml) / 1e6, time.monotonic() - t0))

    dt, rss, _ = run(["--db", db, "index", sd])
    print("structs first index:     %6.2f s  %7.0f files/s  peak RSS %5.1f MB   (target >= 5000 files/s, < 64 MB)"
          % (dt, n_structs / dt, rss))
    dt, rss, _ = run(["--db", db, "index", sd])
    print("structs unchanged:       %6.2f s  %7.0f files/s  peak RSS %5.1f MB   (target < 0.5 s)"
          % (dt, n_structs / dt, rss))
    dt, rss, out = run(["--db", db, "index", "--rekordbox-xml", xml])
    print("50k XML first index:     %6.2f s  %7.0f tracks/s peak RSS %5.1f MB   (target < 2 s, < 64 MB)"
          % (dt, n_xml / dt, rss))
    dt, rss, _ = run(["--db", db, "index", sd, "--rekordbox-xml", xml])
    print("both unchanged:          %6.2f s                    peak RSS %5.1f MB   (target < 0.5 s)" % (dt, rss))
    print("summary of the last run: " + out.splitlines()[-1] if out else "")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
