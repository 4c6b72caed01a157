#!/usr/bin/env bash
# Fault-injection loops (`make faults`): for each command and each kind of
# fault (alloc, io), N = 1, 2, ... : run build/inj/cs with CS_FAULT_<KIND>=N
# (tests/faults/shim.c fails the N-th counted call) until a run completes
# without reaching N.  After every run:
#   - no crash, no sanitizer report, no leak (ASan/LSan/UBSan, exit 0 or 1);
#   - exit 1 comes with a `cs: error:` line naming the fault ("out of memory",
#     "I/O error"/"Input/output error"); exit 0 either left exactly the clean
#     run's outputs or logged the fault (a refused OSC command, a failed
#     track: the batch goes on);
#   - the library passes PRAGMA integrity_check; after exit 1 it holds the
#     old state; no temporary is left, and every part or CSV under a final
#     name is whole (decodes with the clean run's frame count / equals it);
#   - a re-run without injection (build/rel/cs) exits 0 and leaves exactly
#     the clean run's outputs (library dump, parts, CSV, stdout).
# Prints per command and kind: points reached, runs tried, runs failing.
# FAULT_STEP=k tries every k-th point only (from FAULT_START, default 1:
# give a random start in CI to cover other points each time), I/O points
# every FAULT_IO_STEP-th (default k/10); a loop with fewer than 8k
# points is sampled every (points/8)-th so it is never skipped;
# FAULT_PERSIST=1 fails every call after the N-th as well;
# FAULT_ONLY="index search" picks commands (live: tests/faults/live.sh, a
# live cs play session; FAULT_LIVE_STEP), FAULT_KINDS="alloc" kinds.
# FAULT_KEEP=1 keeps the work folder (printed) for a failed point.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
INJ=${CS_INJ_BIN:-$ROOT/build/inj/cs}
REL=${CS_REL_BIN:-$ROOT/build/rel/cs}
AC=${CS_TOOLS:-$ROOT/build/rel/tools}/audiocheck
STEP=${FAULT_STEP:-1}
# I/O points are few (tens): sampled ten times as densely
IO_STEP=${FAULT_IO_STEP:-$(( (STEP + 9) / 10 ))}
START=${FAULT_START:-1}
ONLY=${FAULT_ONLY:-"index export play search live"}
KINDS=${FAULT_KINDS:-"alloc io"}
export CS_FAULT_PERSIST=${FAULT_PERSIST:-0}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:exitcode=86
export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export SDL_AUDIODRIVER=dummy
unset CS_FAULT_ALLOC CS_FAULT_IO CS_FAULT_REPORT
for b in "$INJ" "$REL" "$AC"; do [ -x "$b" ] || { echo "faults: $b not built (make faults)"; exit 1; }; done
command -v sqlite3 >/dev/null || { echo "SKIP faults: sqlite3 not installed"; exit 0; }

T=$(mktemp -d /tmp/cs-faults-XXXXXX)
trap 'rm -rf "$T"' EXIT
F=$T/fix      # fixtures, never written by a loop
W=$T/w        # the work folder every run starts from (prep_*)
mkdir -p "$F"
"$REL" demo "$F/demo" --tracks 2 --bars 2 >/dev/null || { echo "faults: cs demo failed"; exit 1; }
IDX=(index "$F/demo/struct" --rekordbox-xml "$F/demo/rekordbox.xml" --audio-dir "$F/demo/audio")
# The old state of cs index: the same folder with one track, no Rekordbox
# collection (the other struct moved aside and back: same mtime).
mv "$F/demo/struct/Demo 02 - Warehouse, Again.json" "$F/"
"$REL" --db "$F/old.db" index "$F/demo/struct" --audio-dir "$F/demo/audio" >/dev/null
mv "$F/Demo 02 - Warehouse, Again.json" "$F/demo/struct/"
# The library export, play and search start from.
"$REL" --db "$F/lib.db" "${IDX[@]}" >/dev/null
EXP=(export --bpm-min 60 --bpm-max 200 --n-sections 1 --stretch rate --ladder 118,122 --max-stretch 0 -j 1
     --parts-dir parts --csv-out out.csv --no-progress)
SEARCH=(search --bpm-min 60 --bpm-max 200 --n-sections 1 --format json)
# (the script's arguments are split at blanks: links without them)
A1=$F/a1.wav A2=$F/a2.wav
ln -s "$F/demo/audio/Demo 01 - Night Drive.wav" "$A1"
ln -s "$F/demo/audio/Demo 02 - Warehouse, Again.wav" "$A2"
cat >"$F/set.osc" <<EOF
0 /load_buffer is 100 $A1
0 /load_buffer is 1100 $A2
0 /play_stem i 100
0 /crossfade_levels ff 1 0
0.5 /play_stem i 1100
0.5 /crossfade_levels ff 0.70710678 0.70710678
1.0 /set_tempo f 126
1.2 /cs/status
1.5 /crossfade_levels ff 0 1
1.7 /stop_stem i 100
EOF
PLAY=(play --render out.wav --duration 2 --osc-script "$F/set.osc")
PLAY_FRAMES=88200

# ---- per command: prep (the state before), run, state (what a clean run
# leaves, compared byte for byte) and valid (the invariants after any run).
prep() { rm -rf "$W"; mkdir -p "$W"; case $1 in
    index) cp "$F/old.db" "$W/lib.db" ;;
    *) cp "$F/lib.db" "$W/lib.db" ;;
esac; }
cmdline() { case $1 in
    index) echo "${IDX[@]@Q}" ;; export) echo "${EXP[@]@Q}" ;;
    play) echo "${PLAY[@]@Q}" ;; search) echo "${SEARCH[@]@Q}" ;;
esac; }
run() {   # run CMD BIN [env...]: in $W, stdout to $W/.out, stderr to $W/.err
    local c=$1 bin=$2; shift 2
    eval "local args=($(cmdline "$c"))"
    (cd "$W" && env "$@" timeout 300 "$bin" --db lib.db "${args[@]}" >.out 2>.err)
}
dump_db() {   # the library's content by natural keys (row ids and times of day left out)
    sqlite3 "$W/lib.db" 2>&1 <<'SQL'
PRAGMA user_version;
SELECT struct_path, struct_mtime_ns, struct_size, analysed_path, analysed_fold, file_fold,
       audio_path, json_bpm, beats_bpm, json_key, duration, n_beats, hex(beats), hex(downbeats),
       hex(beat_positions), warnings, source, (SELECT track_id FROM rb_tracks r WHERE r.id = t.rb_id)
  FROM tracks t ORDER BY struct_path;
SELECT t.struct_path, s.idx, s.start, s.end, s.label FROM segments s JOIN tracks t ON t.id = s.track_id
  ORDER BY 1, 2;
SELECT xml_path, mtime_ns, size, product, version, company, entries FROM rb_collections ORDER BY 1;
SELECT c.xml_path, r.track_id, name, artist, album, genre, kind, location, path, path_fold, name_fold,
       average_bpm, tonality, total_time
  FROM rb_tracks r JOIN rb_collections c ON c.id = r.collection_id ORDER BY 1, 2, path;
SELECT r.track_id, x.idx, inizio, bpm, metro, battito FROM rb_tempos x JOIN rb_tracks r ON r.id = x.rb_id
  ORDER BY 1, 2;
SELECT r.track_id, x.idx, x.name, type, start, end, num FROM rb_marks x JOIN rb_tracks r ON r.id = x.rb_id
  ORDER BY 1, 2;
SELECT c.xml_path, p.path, p.name, p.type, p.key_type
  FROM rb_playlists p JOIN rb_collections c ON c.id = p.collection_id ORDER BY 1, 2;
SELECT p.path, e.pos, e.key FROM rb_playlist_entries e JOIN rb_playlists p ON p.id = e.playlist_id
  ORDER BY 1, 2;
SELECT t.struct_path, target_bpm, method, quality, format, ini_cue, begin_cue, end_cue, speed, out_path,
       out_size, frames, rate, gain_db, fingerprint FROM renders r JOIN tracks t ON t.id = r.track_id
  ORDER BY out_path;
SQL
}
state() {   # state CMD: everything a run leaves that a clean run fixes
    dump_db
    case $1 in
    export)
        (cd "$W" && find parts -type f -print0 2>/dev/null | sort -z | xargs -0 -r md5sum)
        [ -f "$W/out.csv" ] && md5sum <"$W/out.csv" ;;
    play) [ -f "$W/out.wav" ] && md5sum <"$W/out.wav" ;;
    search) md5sum <"$W/.out" ;;
    esac
}
same_as_clean() {   # same_as_clean CMD: the run left what the clean run left
    # (written out first: cmp stops at the first difference, and a pipe
    # closed early kills md5sum with SIGPIPE, which xargs reports)
    state "$1" >"$T/now.$1"
    cmp -s "$T/now.$1" "$T/clean.$1"
}
frames_of() { "$AC" info "$1" 2>/dev/null | awk '$1 == "frames" { print $2 }'; }
valid() {   # valid CMD RC: prints what is wrong (nothing: all held)
    local c=$1 rc=$2 f rel
    [ "$(sqlite3 "$W/lib.db" 'PRAGMA integrity_check' 2>&1)" = ok ] || echo "integrity_check failed"
    if [ "$rc" != 0 ] && [ "$c" = index ]; then
        cmp -s <(dump_db) "$T/old.$c" || echo "library holds neither the old nor the new state"
    fi
    if [ "$c" = search ] || [ "$c" = play ]; then
        cmp -s <(dump_db) "$T/old.$c" || echo "a read-only command changed the library"
    fi
    f=$(cd "$W" && find . -name '.*.tmp.*' | head -n 3)
    [ -z "$f" ] || echo "temporaries left: $f"
    case $c in
    export)
        while IFS= read -r -d '' f; do
            rel=${f#$W/}
            [ "$(frames_of "$f")" = "$(grep -F "$rel|" "$T/frames" | cut -d'|' -f2)" ] ||
                echo "$rel: partial or wrong part under its final name"
        done < <(find "$W/parts" -type f -print0 2>/dev/null)
        # a track that failed is left out of the CSV (and reported): every
        # row there is the clean run's, in order, with the clean header
        if [ -f "$W/out.csv" ]; then
            [ "$(head -n 1 "$W/out.csv")" = "$(head -n 1 "$T/clean.csv")" ] &&
                [ "$(grep -cxF -f "$T/clean.csv" "$W/out.csv")" = "$(wc -l <"$W/out.csv")" ] ||
                echo "out.csv has rows or a header the clean CSV has not"
        fi
        # every recorded render names a whole file of the clean run's
        sqlite3 "$W/lib.db" 'SELECT out_path, frames FROM renders' | sed "s|^$W/||" | while IFS= read -r l; do
            grep -qxF "$l" "$T/frames" || echo "render record $l is not a clean run's"
        done ;;
    play)
        [ ! -f "$W/out.wav" ] || [ "$(frames_of "$W/out.wav")" = $PLAY_FRAMES ] ||
            echo "out.wav partial under its final name"
        [ "$rc" = 0 ] || [ ! -f "$W/out.wav" ] || echo "failed render left out.wav" ;;
    esac
}

total_fail=0
summary=()
loop() {   # loop CMD KIND
    local c=$1 kind=$2 var pat n reached tried=0 bad=0 rc why last=0
    case $kind in
    alloc) var=CS_FAULT_ALLOC pat='out of memory' ;;
    io) var=CS_FAULT_IO pat='I/O error|Input/output error' ;;
    esac
    local step=$STEP total
    [ "$kind" = io ] && step=$IO_STEP
    # A loop with few points (play --render's 36 allocations) is sampled
    # at least 8 times: its step shrinks to points/8 (the start kept
    # within it), so a sample never skips a command.
    prep "$c"
    run "$c" "$INJ" CS_FAULT_REPORT="$W/.rep"
    total=$(awk -v k="$kind" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$W/.rep" 2>/dev/null)
    if [ -n "$total" ] && [ "$step" -gt 1 ] && [ $((total / 8)) -lt "$step" ]; then
        step=$(( total / 8 > 1 ? total / 8 : 1 ))
    fi
    n=$(( (START - 1) % step + 1 ))
    while :; do
        prep "$c"
        run "$c" "$INJ" "$var=$n" CS_FAULT_REPORT="$W/.rep"
        rc=$?
        reached=$(awk -v k="$kind" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$W/.rep" 2>/dev/null)
        why=()
        [ -n "$reached" ] || { why+=("no injection report (crashed?)"); reached=$n; }
        if [ "$reached" -lt "$n" ]; then
            # past the last point: this run must be the clean run
            [ $rc = 0 ] && same_as_clean "$c" || why+=("uninjected run differs from the clean run (rc $rc)")
            last=1
        else
            tried=$((tried + 1))
            grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$W/.err" && why+=("sanitizer report")
            case $rc in
            0) same_as_clean "$c" || grep -qE "$pat" "$W/.err" ||
                   why+=("exit 0, outputs differ from the clean run, fault not reported") ;;
            1) grep -qE "^cs: (error|play): .*($pat)" "$W/.err" || why+=("exit 1 without a line naming the fault") ;;
            *) why+=("exit status $rc") ;;
            esac
            local v; v=$(valid "$c" "$rc"); [ -z "$v" ] || why+=("$v")
            mv "$W/.err" "$W/.err.inj"
            run "$c" "$REL"
            [ $? = 0 ] && same_as_clean "$c" || why+=("re-run without injection differs from the clean run")
        fi
        if [ ${#why[@]} -gt 0 ]; then
            bad=$((bad + 1))
            echo "FAIL faults:$c:$kind:$n: ${why[*]}"
            grep -v '^cs: \(indexed\|export:\)' "$W/.err.inj" "$W/.err" 2>/dev/null | tail -n 8 | sed 's/^/    /'
            echo "    reproduce: $var=$n CS_FAULT_PERSIST=$CS_FAULT_PERSIST build/inj/cs --db lib.db $(cmdline "$c")"
            if [ -n "${FAULT_KEEP:-}" ]; then cp -r "$W" "$T.$c.$kind.$n"; echo "    kept $T.$c.$kind.$n"; fi
        fi
        [ $last = 1 ] && break
        n=$((n + step))
    done
    summary+=("$(printf '%-8s %-6s %6d points reached, %5d runs injected (every %d), %3d failing' "$c" "$kind" "$reached" "$tried" "$step" "$bad")")
    total_fail=$((total_fail + bad))
}

for c in $ONLY; do
    if [ "$c" = live ]; then . "$ROOT/tests/faults/live.sh"; echo "${summary[-1]}"; continue; fi
    prep "$c"
    dump_db >"$T/old.$c"
    run "$c" "$REL" || { echo "FAIL faults:$c: the clean run failed"; sed 's/^/    /' "$W/.err"; exit 1; }
    state "$c" >"$T/clean.$c"
    if [ "$c" = export ]; then
        sqlite3 "$W/lib.db" 'SELECT out_path, frames FROM renders' | sed "s|^$W/||" >"$T/frames"
        cp "$W/out.csv" "$T/clean.csv"
    fi
    for k in $KINDS; do
        t0=$(date +%s)
        loop "$c" "$k"
        echo "${summary[-1]}  ($(( $(date +%s) - t0 )) s)"
    done
done
echo "---- fault injection (step $STEP, I/O $IO_STEP, from $START, persist $CS_FAULT_PERSIST)"
printf '%s\n' "${summary[@]}"
[ $total_fail = 0 ] && echo "PASS faults: every injected run held" || echo "FAIL faults: $total_fail injected runs failed the checks"
[ $total_fail = 0 ]
