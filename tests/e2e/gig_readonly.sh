#!/usr/bin/env bash
# A read-only gig (issue 21): `cs play --set DIR` plays live with the set
# folder bind-mounted read-only and / remounted read-only, in a private
# mount namespace (`unshare -m`, as root); only a tmpfs for its log is
# writable.  It starts, plays the set (status: a track, the set's decks),
# logs no write that failed, stops cleanly, and the tmpfs holds its log and
# nothing else.  SKIPs with the reason where unshare -m is not allowed.
. "$(dirname "$0")/lib.sh"
command -v unshare >/dev/null || { skip all "unshare not installed (util-linux)"; exit 0; }
unshare -m true 2>/dev/null || { skip all "unshare -m not allowed here (needs root or CAP_SYS_ADMIN): $(unshare -m true 2>&1 | head -1)"; exit 0; }
export CS_DB=$T/db
"$CS_REL" demo "$T/lib" --tracks 8 --bars 2 >/dev/null || { fail setup "cs demo"; exit 0; }
"$CS_REL" index "$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" >/dev/null 2>&1
"$CS_REL" export --bpm 122.5 --delta 2 --key Gm --n-sections 3 --ladder 114:130:8 --stretch rate -j 2 --no-progress \
    --set "$T/gig" >"$T/export.log" 2>&1 || { fail setup "cs export --set: $(tail -2 "$T/export.log")"; exit 0; }
mkdir -p "$T/rw"
before=$(cd "$T/gig" && find . -printf '%p %s %T@\n' | sort | md5sum)
port=$((20000 + RANDOM % 20000))
# cs play runs with dist/cs-play.service's ExecStart options and CS_ARGS.
# Inside the namespace: the log's tmpfs first, then the set folder and /
# read-only (remount,bind changes this namespace's mount only).  The
# library is moved out of reach (--db of a file that does not exist), as
# on a Pi that has only the set.
unshare -m --propagation private bash -s "$T" "$CS_REL" "$port" >"$T/ns.out" 2>&1 <<'NS'
set -u
T=$1 CS=$2 port=$3
mount -t tmpfs -o size=16m cs-log "$T/rw" || { echo "NS: tmpfs: failed"; exit 3; }
mount --bind "$T/gig" "$T/gig" && mount -o remount,bind,ro "$T/gig" || { echo "NS: ro set: failed"; exit 3; }
mount -o remount,bind,ro / || { echo "NS: ro /: failed"; exit 3; }
touch /cs-probe 2>/dev/null && { echo "NS: / is still writable"; exit 3; }
touch "$T/gig/probe" 2>/dev/null && { echo "NS: the set is still writable"; exit 3; }
cd "$T/gig"
# strace (when there) lists every open for writing, and every create,
# rename or removal, even one the read-only mount refused in silence.
st=()
command -v strace >/dev/null && st=(strace -f -qq -o "$T/rw/strace.txt" -e trace=open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,truncate,ftruncate,link,symlink)
HOME=/nonexistent SDL_AUDIODRIVER=dummy "${st[@]}" "$CS" --db "$T/nothing.db" play --set "$T/gig" --order csv --allow-dir "$T/gig" \
    --port "$port" --bind 127.0.0.1 --device "" --buffer-size 1024 --device-wait -1 --loop-set \
    2>"$T/rw/play.log" >"$T/rw/play.out" &
pid=$!
python3 "$CS_ROOT/tests/tools/status_poll.py" "$port" 9 0.5 >"$T/rw/poll.tsv" 2>/dev/null
"$CS" status --port "$port" >"$T/rw/status.txt" 2>&1
# Under strace, the player is strace's child: SIGINT goes to it (strace
# itself would detach and leave it running), strace exits with its status.
cs=$pid
[ ${#st[@]} -gt 0 ] && cs=$(pgrep -P "$pid" | head -1)
kill -INT "${cs:-$pid}"; wait $pid; echo "NS: cs play exit $?"
# What the tmpfs holds besides this test's own notes.
echo "NS: files: $(cd "$T/rw" && ls | grep -v -e '^poll.tsv$' -e '^status.txt$' -e '^play.out$' -e '^strace.txt$' | tr '\n' ' ')"
[ -f "$T/rw/strace.txt" ] && echo "NS: strace saw $(grep -c "open.*$T/gig/" "$T/rw/strace.txt") opens in the set" && grep -E 'O_WRONLY|O_RDWR|O_CREAT|creat\(|mkdir|rename|unlink|truncate|link\(' "$T/rw/strace.txt" \
    | grep -v -e '"/dev/' -e '"/proc/' -e '"/sys/' | sed 's/^/WRITE: /'
sed 's/^/LOG: /' "$T/rw/play.log"
sed 's/^/STATUS: /' "$T/rw/status.txt"
NS
rc=$?
if [ $rc = 3 ] || grep -q "^NS: .*failed\|still writable" "$T/ns.out"; then
    skip all "the read-only mounts could not be made: $(grep '^NS:' "$T/ns.out" | head -1)"; exit 0
fi
grep -q "^NS: cs play exit 0" "$T/ns.out" && pass plays_and_stops || fail plays_and_stops "$(grep -E '^NS:|^LOG:' "$T/ns.out" | tail -4)"
# Past the first track change (the second track's parts opened from the set;
# the set's own order, --order csv, so the second is track 2/2).
grep -q "^LOG: .*listening on 127.0.0.1" "$T/ns.out" && grep -Eq "^STATUS: track +2/2 " "$T/ns.out" \
    && grep -Eq "^STATUS: deck A +rung " "$T/ns.out" && pass plays_the_set \
    || fail plays_the_set "$(grep -E '^STATUS: (track|deck A)|^LOG:' "$T/ns.out" | head -4)"
if grep -Eiq "^LOG: .*(read-only|cannot (write|create|open .* for writing)|EROFS|error)" "$T/ns.out"; then
    fail no_write_failed "$(grep -Ei '^LOG: .*(read-only|cannot|error)' "$T/ns.out" | head -3)"
else pass no_write_failed; fi
if ! grep -q "^NS: strace" "$T/ns.out"; then skip no_write_tried "strace not installed"
elif grep -q "^NS: strace saw 0 opens" "$T/ns.out"; then fail no_write_tried "strace saw no open of the set's files: not tracing"
elif grep -q "^WRITE: " "$T/ns.out"; then fail no_write_tried "$(grep '^WRITE: ' "$T/ns.out" | head -3)"
else pass no_write_tried; fi
files=$(grep '^NS: files:' "$T/ns.out" | sed 's/^NS: files: //; s/ *$//')
[ "$files" = play.log ] && pass writes_only_its_log || fail writes_only_its_log "the writable tmpfs holds: $files"
after=$(cd "$T/gig" && find . -printf '%p %s %T@\n' | sort | md5sum)
[ "$before" = "$after" ] && pass set_unchanged || fail set_unchanged "the set folder changed"
