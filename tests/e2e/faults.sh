#!/usr/bin/env bash
# Faults: cs index and cs export killed with SIGKILL at random points, then
# re-run; a full disk and an unwritable parts folder; an audio file that
# vanishes or is truncated while cs play streams it.  What must hold: the
# library passes PRAGMA integrity_check after every kill, a kill never
# leaves a partial file under a final name (every part decodes with the
# frame count recorded for it), the re-run ends with the same CSV as an
# uninterrupted run, and a failed write is one clear error, not a corrupt
# file.  FAULT_KILLS (default 12) kills per command; FAULT_SEED fixes the
# random kill points (printed, so a failure can be replayed).
. "$CS_ROOT/tests/e2e/lib.sh"
command -v sqlite3 >/dev/null || { skip all "sqlite3 not installed"; exit 0; }
KILLS=${FAULT_KILLS:-12}
SEED=${FAULT_SEED:-$$}
RANDOM=$SEED
echo "faults: seed $SEED, $KILLS kills per command"
AC=$TOOLS/audiocheck
export CS_DB=$T/none.db     # every command below names its --db

"$CS_REL" demo "$T/demo" --tracks 3 --bars 2 >/dev/null || { fail fixture "cs demo failed"; exit 1; }
XML=$T/demo/rekordbox.xml
# Index: enough files that a kill lands inside the transaction, not before it.
mkdir -p "$T/idx"
cp "$T"/demo/struct/*.json "$T/idx/"
for i in $(seq 120); do cp "$T/demo/struct/Demo 01 - Night Drive.json" "$T/idx/copy $i.json"; done

ms() { date +%s%3N; }
# A random delay in seconds in [0, $1 ms].
rdelay() { awk -v r=$((RANDOM % 1000)) -v m="$1" 'BEGIN { printf "%.3f", r / 1000 * m / 1000 }'; }
integrity() { [ ! -e "$1" ] || [ "$(sqlite3 "$1" 'PRAGMA integrity_check' 2>&1)" = ok ]; }

# ---- cs index, killed -------------------------------------------------------
t0=$(ms)
"$CS" --db "$T/ref.db" index "$T/idx" --rekordbox-xml "$XML" --audio-dir "$T/demo/audio" >/dev/null 2>&1 \
    || { fail index_reference "uninterrupted index failed"; exit 1; }
dur=$(( $(ms) - t0 ))
ntracks=$(sqlite3 "$T/ref.db" 'SELECT count(*) FROM tracks')
bad_integrity=0 partial=0 killed=0
for k in $(seq "$KILLS"); do
    # --force: every run rewrites every track, so each kill interrupts writes.
    "$CS" --db "$T/k.db" index "$T/idx" --rekordbox-xml "$XML" --audio-dir "$T/demo/audio" --force >/dev/null 2>&1 &
    pid=$!
    sleep "$(rdelay "$dur")"
    kill -9 $pid 2>/dev/null && killed=$((killed + 1))
    wait $pid 2>/dev/null
    integrity "$T/k.db" || { bad_integrity=$((bad_integrity + 1)); echo "integrity failed after kill $k"; }
    # One transaction: the library holds no tracks or all of them.
    n=$(sqlite3 "$T/k.db" 'SELECT count(*) FROM tracks' 2>/dev/null || echo 0)
    [ "$n" = 0 ] || [ "$n" = "$ntracks" ] || { partial=$((partial + 1)); echo "kill $k: $n of $ntracks tracks"; }
done
echo "index: reference ${dur} ms, $killed of $KILLS runs killed before finishing"
[ $bad_integrity = 0 ] && pass index_kill_integrity || fail index_kill_integrity "$bad_integrity libraries failed integrity_check"
[ $partial = 0 ] && pass index_kill_all_or_nothing || fail index_kill_all_or_nothing "$partial partial libraries"
"$CS" --db "$T/k.db" index "$T/idx" --rekordbox-xml "$XML" --audio-dir "$T/demo/audio" >/dev/null 2>&1
sel=(search --bpm-min 60 --bpm-max 200 --n-sections 1 --format csv)
if cmp -s <("$CS_REL" --db "$T/ref.db" "${sel[@]}") <("$CS_REL" --db "$T/k.db" "${sel[@]}"); then
    pass index_rerun_same_library
else fail index_rerun_same_library "search output differs from the uninterrupted run"; fi

# ---- cs export, killed ------------------------------------------------------
# Same relative --parts-dir in two folders, so the CSVs can be compared byte
# for byte.  Each folder gets its own indexed library.
EXP=(export --bpm-min 60 --bpm-max 200 --n-sections 1 --stretch rate --ladder 118,122 --max-stretch 0 -j 2
     --parts-dir parts --csv-out out.csv --no-progress)
for d in ref k; do
    mkdir -p "$T/e$d"
    "$CS_REL" --db "$T/e$d/lib.db" index "$T/demo/struct" --rekordbox-xml "$XML" --audio-dir "$T/demo/audio" >/dev/null
done
t0=$(ms)
(cd "$T/eref" && "$CS" --db lib.db "${EXP[@]}" >/dev/null 2>&1) || { fail export_reference "uninterrupted export failed"; exit 1; }
dur=$(( $(ms) - t0 ))
# Expected frames per part, by path relative to the parts folder.
sqlite3 "$T/eref/lib.db" 'SELECT out_path, frames FROM renders' | sed "s|^$T/eref/parts/||" | sort >"$T/frames.ref"
nparts=$(wc -l <"$T/frames.ref")
check_parts() {   # every WAV under a final name decodes whole, with the recorded frame count
    local bad=0 f rel want got
    while IFS= read -r -d '' f; do
        rel=${f#$T/ek/parts/}
        want=$(grep -F "$rel|" "$T/frames.ref" | head -n 1 | cut -d'|' -f2)
        got=$("$AC" info "$f" 2>/dev/null | awk '$1 == "frames" { print $2 }')
        if [ -z "$want" ] || [ "$got" != "$want" ]; then
            echo "part $rel: $got frames, want ${want:-"(no such part)"}"; bad=$((bad + 1))
        fi
    done < <(find "$T/ek/parts" -name '*.wav' ! -name '.*' -print0 2>/dev/null)
    return $bad
}
bad_integrity=0 bad_parts=0 killed=0
for k in $(seq "$KILLS"); do
    (cd "$T/ek" && exec "$CS" --db lib.db "${EXP[@]}" --force >/dev/null 2>&1) &
    pid=$!
    sleep "$(rdelay "$dur")"
    kill -9 $pid 2>/dev/null && killed=$((killed + 1))
    wait $pid 2>/dev/null
    integrity "$T/ek/lib.db" || { bad_integrity=$((bad_integrity + 1)); echo "integrity failed after kill $k"; }
    check_parts || bad_parts=$((bad_parts + 1))
done
echo "export: reference ${dur} ms for $nparts parts, $killed of $KILLS runs killed before finishing"
[ $bad_integrity = 0 ] && pass export_kill_integrity || fail export_kill_integrity "$bad_integrity libraries failed integrity_check"
[ $bad_parts = 0 ] && pass export_kill_no_partial_parts || fail export_kill_no_partial_parts "$bad_parts kills left a bad part"
# A CSV temporary as a run killed while writing it leaves (its pid gone).
sh -c 'exit 0' & dead=$!; wait $dead
echo "path,bpm" >"$T/ek/.out.csv.tmp.$dead.0"
(cd "$T/ek" && "$CS" --db lib.db "${EXP[@]}" >rerun.log 2>&1) || fail export_rerun "re-run failed: $(cat "$T/ek/rerun.log")"
cmp -s "$T/eref/out.csv" "$T/ek/out.csv" && pass export_rerun_same_csv \
    || fail export_rerun_same_csv "$(diff "$T/eref/out.csv" "$T/ek/out.csv" | head -n 5)"
check_parts && [ "$(find "$T/ek/parts" -name '*.wav' ! -name '.*' | wc -l)" = "$nparts" ] \
    && pass export_rerun_all_parts || fail export_rerun_all_parts "parts missing or wrong after the re-run"
left=$(find "$T/ek" -name '.*.tmp.*' | wc -l)
[ "$left" = 0 ] && pass export_rerun_no_temporaries || fail export_rerun_no_temporaries "$left temporaries left: $(find "$T/ek" -name '.*.tmp.*' | head -n 3)"

# ---- write failures: unwritable parts folder, full disk ---------------------
# Root writes through file modes, so as root the folder is a read-only
# tmpfs instead (EROFS rather than EACCES: the same kind of failure).
mkdir -p "$T/ro/parts"
"$CS_REL" --db "$T/ro/lib.db" index "$T/demo/struct" --rekordbox-xml "$XML" --audio-dir "$T/demo/audio" >/dev/null
ro=none
if [ "$(id -u)" != 0 ]; then chmod 555 "$T/ro/parts" && ro=mode
elif mount -t tmpfs -o ro,size=1m tmpfs "$T/ro/parts" 2>/dev/null; then ro=mount; fi
if [ $ro = none ]; then
    skip unwritable_parts "cannot make a folder unwritable here (root without mount)"
else
    (cd "$T/ro" && "$CS_REL" --db lib.db "${EXP[@]}" >out.log 2>err.log)
    rc=$?
    nerr=$(grep -c 'error' "$T/ro/err.log")
    nfiles=$(find "$T/ro/parts" -type f | wc -l)
    if [ $rc -ne 0 ] && [ "$nerr" -ge 1 ] && grep -Eq 'Permission denied|Read-only file system' "$T/ro/err.log" \
        && [ "$nfiles" = 0 ] && integrity "$T/ro/lib.db" \
        && [ "$(sqlite3 "$T/ro/lib.db" 'SELECT count(*) FROM renders')" = 0 ]; then
        pass unwritable_parts_clear_error
    else fail unwritable_parts_clear_error "rc $rc, $nerr error lines, $nfiles files: $(head -n 3 "$T/ro/err.log")"; fi
    echo "unwritable ($ro): $nerr error lines, first: $(head -n 1 "$T/ro/err.log")"
    if [ $ro = mount ]; then umount "$T/ro/parts"; else chmod 755 "$T/ro/parts"; fi
fi

if [ "$(id -u)" = 0 ] && mkdir -p "$T/full" && mount -t tmpfs -o size=3m tmpfs "$T/full" 2>/dev/null; then
    trap 'umount "$T/full" 2>/dev/null; rm -rf "$T"' EXIT
    cp "$T/ro/lib.db" "$T/full/lib.db" 2>/dev/null || cp "$T/eref/lib.db" "$T/full/lib.db"
    sqlite3 "$T/full/lib.db" 'DELETE FROM renders'
    (cd "$T/full" && "$CS_REL" --db lib.db "${EXP[@]}" -j 1 >out.log 2>err.log)
    rc=$?
    echo "full disk: $(grep -m 2 error "$T/full/err.log")"
    bad=0
    while IFS= read -r -d '' f; do
        rel=${f#$T/full/parts/}
        want=$(grep -F "$rel|" "$T/frames.ref" | head -n 1 | cut -d'|' -f2)
        got=$("$AC" info "$f" 2>/dev/null | awk '$1 == "frames" { print $2 }')
        [ "$got" = "$want" ] || { bad=$((bad + 1)); echo "full disk: $rel has $got frames, want $want"; }
    done < <(find "$T/full/parts" -name '*.wav' ! -name '.*' -print0 2>/dev/null)
    tmps=$(find "$T/full/parts" -name '.*.tmp.*' 2>/dev/null | wc -l)
    if [ $rc -ne 0 ] && grep -q 'No space left on device' "$T/full/err.log" && [ $bad = 0 ] && [ "$tmps" = 0 ]; then
        pass full_disk_clear_error_no_corrupt_part
    else fail full_disk_clear_error_no_corrupt_part "rc $rc, $bad bad parts, $tmps temporaries: $(head -n 3 "$T/full/err.log")"; fi
    integrity "$T/full/lib.db" && pass full_disk_library_intact || fail full_disk_library_intact "integrity_check failed"
    umount "$T/full"
else
    skip full_disk "mounting a tmpfs is not permitted here"
fi

# ---- cs play: a streamed file vanishes or is truncated ----------------------
# Deck A plays a 440 Hz tone from a 20 s file, deck B 660 Hz.  While rendering,
# A's file is deleted (the open stream keeps its inode: A keeps playing or
# ends cleanly) or truncated (A runs out early: silence, never noise or a
# crash); B must play on, whole.
sox -n -r 44100 -c 2 -b 16 "$T/a.wav" synth 20 sine 440 vol 0.5
sox -n -r 44100 -c 2 -b 16 "$T/b.wav" synth 20 sine 660 vol 0.5
cat >"$T/ab.osc" <<EOS
0 /cue ss A "$T/a.wav"
0 /cue ss B "$T/b.wav"
0 /start_group sss A B 0
EOS
an() {   # an RAW T0 T1: amplitude of 440 Hz (deck A) and 660 Hz (deck B), left channel
python3 - "$@" <<'PY'
import sys, math, array
rate = 44100
x = array.array('f'); x.frombytes(open(sys.argv[1], 'rb').read())
t0, t1 = float(sys.argv[2]), float(sys.argv[3])
x = x[2 * int(t0 * rate):2 * int(t1 * rate):2]
def tone(f):
    w = 2 * math.pi * f / rate
    c = sum(v * math.cos(w * i) for i, v in enumerate(x))
    s = sum(v * math.sin(w * i) for i, v in enumerate(x))
    return 2 * math.hypot(c, s) / max(len(x), 1)
print('%.4f %.4f' % (tone(440), tone(660)))
PY
}
# Live with SDL's disk driver: the reader thread streams while the file goes.
live_fault() {   # live_fault NAME ACTION
    local name=$1 action=$2 port=$((20000 + RANDOM % 20000))
    SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE="$T/$name.raw" SDL_DISKAUDIODELAY=23 \
        "$CS" play --port $port --bind 127.0.0.1 --allow-dir "$T" --buffer-size 1024 >"$T/$name.log" 2>&1 &
    local pid=$!
    sleep 1
    python3 - $port "$T/a.wav" "$T/b.wav" <<'PY'
import socket, struct, sys
def ostr(s):
    b = s.encode() + b'\0'; return b + b'\0' * (-len(b) % 4)
def msg(path, *args):
    t = ',' + ''.join('s' if isinstance(a, str) else 'f' for a in args)
    return ostr(path) + ostr(t) + b''.join(ostr(a) if isinstance(a, str) else struct.pack('>f', a) for a in args)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
port = int(sys.argv[1])
for m in (msg('/cue', 'A', sys.argv[2]), msg('/cue', 'B', sys.argv[3]), msg('/start_group', 'A', 'B', 0.0)):
    s.sendto(m, ('127.0.0.1', port))
PY
    sleep 1.5
    case $action in
        vanish) rm -f "$T/a.wav" ;;
        truncate) : >"$T/a.wav" ;;
    esac
    sleep 3
    kill -INT $pid; wait $pid
    local rc=$?
    [ $rc = 0 ] || echo "$name: cs play exited $rc: $(tail -n 3 "$T/$name.log")"
    return $rc
}
for mode in vanish truncate; do
    cp "$T/b.wav" "$T/b.keep"; sox -n -r 44100 -c 2 -b 16 "$T/a.wav" synth 20 sine 440 vol 0.5
    if ! live_fault "live_$mode" $mode; then fail "stream_file_${mode}s" "player died"; continue; fi
    # The disk driver writes raw float32 stereo frames.
    secs=$(awk -v b="$(stat -c %s "$T/live_$mode.raw")" 'BEGIN { printf "%.2f", b / 8 / 44100 }')
    # B before the fault and in the last second: the same level, so it played
    # on uninterrupted.  "Before" counts from the group start heard in the
    # output (the first sample above -40 dBFS), not from a fixed time: the
    # cues leave after the sender's start-up (a python3 start is 0.1 to over
    # 1 s here), and the fault comes 1.5 s after they leave.
    t0=$(python3 - "$T/live_$mode.raw" <<'PY'
import sys, array
x = array.array('f'); x.frombytes(open(sys.argv[1], 'rb').read())
print('%.3f' % next((i / 2 / 44100 for i in range(0, len(x), 2) if abs(x[i]) > 0.01), -1))
PY
)
    read -r _ b1 < <(an "$T/live_$mode.raw" "$(awk -v t="$t0" 'BEGIN { print t + 0.3 }')" "$(awk -v t="$t0" 'BEGIN { print t + 0.9 }')")
    tail0=$(awk -v s="$secs" 'BEGIN { printf "%.2f", s - 1.0 }')
    read -r a2 b2 < <(an "$T/live_$mode.raw" "$tail0" "$secs")
    if near "$b1" "$b2" 0.02 && awk -v b="$b1" 'BEGIN { exit !(b > 0.05) }' \
        && ! grep -qi 'AddressSanitizer\|runtime error' "$T/live_$mode.log"; then
        pass "stream_file_${mode}s_other_deck_plays"
    else fail "stream_file_${mode}s_other_deck_plays" "deck B level $b1 -> $b2 (A $a2), started at ${t0}s of ${secs}s: $(grep -i 'error' "$T/live_$mode.log" | head -n 3)"; fi
    echo "$mode: ${secs}s played; deck A 440 Hz at the end $a2, deck B 660 Hz $b1 -> $b2"
done
