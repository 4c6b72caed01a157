"""Export benchmark (see run.sh)."""
import csv, os, resource, shutil, subprocess, sys, tempfile, time

cs = os.path.abspath(sys.argv[1])
tracks = int(sys.argv[2]) if len(sys.argv) > 2 else 20
jobs = int(sys.argv[3]) if len(sys.argv) > 3 else os.cpu_count()
LADDER = [105, 110, 115, 118, 120, 125, 130]
tmp = tempfile.mkdtemp(prefix="cs-bench-export-")


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(label, fn):
    c0, t0 = cpu(), time.monotonic()
    fn()
    wall, c = time.monotonic() - t0, cpu() - c0
    print("%-44s wall %7.1f s   cpu %7.1f s" % (label, wall, c), flush=True)
    return wall, c


def run(args, **kw):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def run_all(cmds, parallel):
    """Runs shell-free commands, `parallel` at a time (like xargs -P)."""
    procs = []
    for c in cmds:
        while len(procs) >= parallel:
            procs.pop(0).wait()
        procs.append(subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for p in procs:
        if p.wait() != 0:
            sys.exit("failed: %s" % p.args)


try:
    lib, db = os.path.join(tmp, "lib"), os.path.join(tmp, "lib.db")
    # 9 sections of 10 bars at ~122 BPM: about three minutes a track.
    run([cs, "demo", lib, "--tracks", str(tracks), "--bars", "10"])
    run([cs, "--db", db, "index", os.path.join(lib, "struct"), "--rekordbox-xml",
         os.path.join(lib, "rekordbox.xml")])
    sel = ["--bpm-min", "100", "--bpm-max", "140", "--n-sections", "6"]
    # The cues and speeds, from a quick export with --stretch rate.
    run([cs, "--db", db, "export", *sel, "--ladder", ",".join(map(str, LADDER)), "--stretch",
         "rate", "--parts-dir", os.path.join(tmp, "plan"), "--csv-out", os.path.join(tmp, "plan.csv"),
         "--no-progress"])
    rows = list(csv.DictReader(open(os.path.join(tmp, "plan.csv"))))
    secs = sum(float(r["end_cue"]) - float(r["ini_cue"]) for r in rows) / len(LADDER)
    print("%d tracks, %d rungs, %.0f s of cut audio per rung (%.0f s in all), %d jobs"
          % (tracks, len(LADDER), secs, secs * len(LADDER), jobs))

    def cs_export(method, quality, out):
        def go():
            run([cs, "--db", db, "export", *sel, "--ladder", ",".join(map(str, LADDER)),
                 "--stretch", method, "--quality", quality, "--parts-dir", os.path.join(tmp, out),
                 "-j", str(jobs), "--force", "--no-progress"])
        return go

    def ffmpeg_cmds(out):
        os.makedirs(os.path.join(tmp, out), exist_ok=True)
        return [["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-ss", r["ini_cue"], "-to",
                 r["end_cue"], "-i", r["path"], "-filter:a", "atempo=%s" % r["speed"],
                 "-acodec", "pcm_s16le", os.path.join(tmp, out, "%d.wav" % i)]
                for i, r in enumerate(rows)]

    def rubberband_cli(parallel):
        def go():
            cuts = {}
            cut_cmds = []
            for r in rows:
                if r["path"] not in cuts:
                    cuts[r["path"]] = os.path.join(tmp, "cut%d.wav" % len(cuts))
                    cut_cmds.append(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-ss",
                                     r["ini_cue"], "-to", r["end_cue"], "-i", r["path"],
                                     "-acodec", "pcm_s16le", cuts[r["path"]]])
            run_all(cut_cmds, parallel)
            run_all([["rubberband", "-q", "-2", "-T", r["speed"], cuts[r["path"]],
                      os.path.join(tmp, "rb%d.wav" % i)] for i, r in enumerate(rows)], parallel)
        return go

    res = {}
    res["cs_wsola"] = timed("cs export --stretch wsola (beat-anchored)", cs_export("wsola", "best", "p_wsola"))
    res["cs_atempo"] = timed("cs export --stretch atempo (plain)", cs_export("atempo", "best", "p_atempo"))
    res["ff_seq"] = timed("ffmpeg atempo per track and rung", lambda: run_all(ffmpeg_cmds("ff"), 1))
    res["ff_par"] = timed("ffmpeg atempo per track and rung, %d at once" % jobs,
                          lambda: run_all(ffmpeg_cmds("ff"), jobs))
    res["cs_fast"] = timed("cs export --stretch rubberband --quality fast",
                           cs_export("rubberband", "fast", "p_fast"))
    res["rb_seq"] = timed("rubberband -2 CLI per track and rung", rubberband_cli(1))
    res["rb_par"] = timed("rubberband -2 CLI per track and rung, %d at once" % jobs,
                          rubberband_cli(jobs))
    res["cs_best"] = timed("cs export --stretch rubberband (R3)", cs_export("rubberband", "best", "p_best"))

    def ratio(a, b, what):
        (wa, ca), (wb, cb) = res[a], res[b]
        print("  %-58s wall x%5.2f  cpu x%5.2f" % (what, wb / wa, cb / ca))

    print("speed-ups (how many times less than the alternative; > 1 is better):")
    ratio("cs_wsola", "ff_seq", "cs wsola (anchored) vs ffmpeg per rung  (target wall >= 2)")
    ratio("cs_atempo", "ff_seq", "cs atempo (plain) vs ffmpeg per rung   (target wall >= 2)")
    ratio("cs_wsola", "ff_par", "cs wsola (anchored) vs ffmpeg per rung, parallel")
    ratio("cs_fast", "rb_seq", "cs rubberband fast vs rubberband -2 CLI (target wall >= 1)")
    ratio("cs_fast", "rb_par", "cs rubberband fast vs rubberband -2 CLI, parallel (cpu >= 1/1.1)")
    print("real time: cs wsola x%.0f, cs fast x%.0f, cs best x%.0f (audio seconds per wall second)"
          % tuple(secs * len(LADDER) / res[k][0] for k in ("cs_wsola", "cs_fast", "cs_best")))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
