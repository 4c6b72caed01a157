#!/usr/bin/env bash
# Render a cs export over N shards with GNU parallel, on this machine or on
# ssh hosts, then merge the shards into one set folder (cs export --shard,
# --merge; docs/guide.md "Rendering across machines").  No scheduler: each
# shard renders the parts whose job key hashes to it, and the merge checks
# every part against the shard manifests.
#
#   render-parallel.sh [options] SET -- EXPORT-ARGS...
#
#   SET           the set folder to make (cs play --set SET)
#   EXPORT-ARGS   cs export's selection and rendering options, the same for
#                 every shard and the merge (STRUCT_DIR, --rekordbox-xml,
#                 --audio-dir, --bpm, --ladder, --stretch, ...); not --set,
#                 --shard, --merge
#   -n N          shards (default 4)
#   -j J          shards at once on each host (default: N here, 1 per ssh host)
#   -S FILE       run on the ssh hosts in FILE (parallel --sshloginfile; ":"
#                 is this machine).  Without -t, the shards' folder (-w) and
#                 every path in EXPORT-ARGS must be the same on every host
#                 (a shared mount).
#   -t LIBDIR     no shared mount: LIBDIR (the structs, audio and Rekordbox
#                 XML EXPORT-ARGS names, by paths relative to LIBDIR's
#                 parent, e.g. lib/struct --audio-dir lib/audio) is sent
#                 to each host once (parallel --basefile), and each shard's
#                 folder comes back as a tar (--return, --cleanup).  Run
#                 the script from LIBDIR's parent (the merge reads the same
#                 paths here).  A shard whose folder came back whole is not
#                 run again; one that did not is run again whole.
#   -w DIR        where the shards write (default SET.shards); kept, so a
#                 re-run renders only what is missing
#   -d            dry run: each shard's jobs and estimate, nothing rendered
#   CS=PATH       the cs to run (default: cs in PATH, on every host)
#   CS_DB         each host's library (default: cs's); shards on one host
#                 may share it
#
# A shard that fails on a host (ssh dropped, the host rebooted) is tried
# again, up to 3 times in all, on the next free host (parallel --retries;
# an export resumes, so a retry renders only what is missing).
#
# Exit status: the merge's (0: SET is whole; 1: a shard is missing, did not
# finish or is partial, and is named: re-run this script, it finishes the rest).
# With -d: 0 when every shard's dry run ran, else 1.
set -euo pipefail

n=4 jobs= sshfile= libdir= work= dry= prc=0
usage() { sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts 'n:j:S:t:w:dh' o; do
    case $o in
        n) n=$OPTARG ;; j) jobs=$OPTARG ;; S) sshfile=$OPTARG ;; t) libdir=$OPTARG ;;
        w) work=$OPTARG ;; d) dry=--dry-run ;; *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] && [ "$2" = -- ] || usage
set_dir=$1
shift 2
work=${work:-$set_dir.shards}
if [ -n "$sshfile" ]; then   # parallel reads it from another folder below
    [ -r "$sshfile" ] || { echo "render-parallel.sh: -S $sshfile: cannot read it" >&2; exit 2; }
    sshfile=$(cd "$(dirname "$sshfile")" && pwd)/$(basename "$sshfile")
fi
cs=${CS:-cs}
# The shard commands below are POSIX sh.  Without this, GNU parallel runs
# them on each host with that host's $SHELL (its login shell, which may be
# fish or csh; where it is unset, a job runs nothing and says nothing).
export PARALLEL_SHELL=/bin/sh
command -v parallel >/dev/null || { echo "render-parallel.sh: GNU parallel is not installed (Debian: apt-get install parallel)" >&2; exit 1; }
case $n in ''|*[!0-9]*|0) echo "render-parallel.sh: -n $n: not a shard count" >&2; exit 2 ;; esac
last=$((n - 1))

# One shard: cs export ARGS --set WORK/shard-I --shard I/N.  The arguments
# travel quoted (parallel -q), so paths with spaces stay whole.
if [ -z "$sshfile" ]; then
    mkdir -p "$work"
    parallel --halt never -j "${jobs:-$n}" --line-buffer --tagstring 'shard {}/'"$n" \
        -q "$cs" export "$@" --set "$work/shard-{}" --shard "{}/$n" $dry ::: $(seq 0 $last) || prc=$?
elif [ -z "$libdir" ]; then
    # Shared mount: the same absolute paths everywhere.
    mkdir -p "$work"
    work=$(cd "$work" && pwd)
    parallel --halt never --retries 3 --sshloginfile "$sshfile" -j "${jobs:-1}" --line-buffer --tagstring 'shard {}/'"$n" \
        --workdir "$PWD" -q "$cs" export "$@" --set "$work/shard-{}" --shard "{}/$n" $dry \
        ::: $(seq 0 $last) || prc=$?
else
    # No shared mount: the library goes once to each host; each shard's
    # folder comes back as WORK/shard-I.tar, unpacked here.
    mkdir -p "$work"
    parent=$(cd "$(dirname "$libdir")" && pwd) base=$(basename "$libdir")
    tarball=$work/cs-lib.tar
    tar -C "$parent" -cf "$tarball" "$base"
    q=$(printf ' %q' "$@")
    # Each shard unpacks its own copy (shards on one host do not race on
    # the files) and keeps its own library database in it.  A shard whose
    # folder came back whole before is not sent again.
    todo=()
    for i in $(seq 0 $last); do
        m=$work/shard-$i/cs-shard-$i-of-$n.json
        if [ -f "$m" ] && grep -Eq '"state":[[:space:]]*"done"' "$m" && grep -Eq '"failed":[[:space:]]*0[^0-9]' "$m"
        then echo "render-parallel.sh: shard $i/$n: done before ($m)" >&2; else todo+=("$i"); fi
    done
    [ ${#todo[@]} -eq 0 ] || (cd "$work" && parallel --halt never --retries 3 --sshloginfile "$sshfile" -j "${jobs:-1}" --line-buffer \
        --tagstring 'shard {}/'"$n" --basefile cs-lib.tar --return 'shard-{}.tar' --cleanup \
        "rm -rf cs-s{} && mkdir cs-s{} && tar -C cs-s{} -xf cs-lib.tar && (cd cs-s{} && $cs --db cs.db export$q --set ../shard-{} --shard {}/$n $dry); rc=\$?; tar -cf shard-{}.tar shard-{}; rm -rf cs-s{} shard-{}; exit \$rc" \
        ::: "${todo[@]}") || prc=$?
    for i in $(seq 0 $last); do
        [ -f "$work/shard-$i.tar" ] && tar -C "$work" -xf "$work/shard-$i.tar" && rm -f "$work/shard-$i.tar"
    done
    rm -f "$tarball"
fi
# A dry run has no merge to judge it: a shard whose dry run failed fails it.
if [ -n "$dry" ]; then
    [ "$prc" = 0 ] || echo "render-parallel.sh: dry run: a shard failed (GNU parallel exit status $prc; its lines are above)" >&2
    [ "$prc" = 0 ] && exit 0 || exit 1
fi
dirs=()
for i in $(seq 0 $last); do dirs+=("$work/shard-$i"); done
exec "$cs" export "$@" --set "$set_dir" --no-progress --merge "${dirs[@]}"
