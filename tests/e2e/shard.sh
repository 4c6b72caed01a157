#!/usr/bin/env bash
# Rendering across machines (issue 25): cs export --shard I/N, --merge,
# --dry-run and the dist/ recipes.  4 shards run at once with GNU parallel
# on this machine (dist/render-parallel.sh), over "ssh hosts" with a shared
# folder and with the library sent and the shards returned (a test double
# for ssh runs the command here, in a folder of its own: no network), and
# as a Slurm job array (a test double for sbatch runs the tasks here, in
# order); each merged set must equal a single-machine export of the same
# selection (cmp per part, set.csv, set.json).  A missing, unfinished or
# partial shard is named and the merge exits 1; a killed shard leaves only
# whole parts and its re-run renders only the rest.
# run.sh: long (tens of seconds of CPU: started first, see tests/run.sh)
. "$(dirname "$0")/lib.sh"
export CS_DB=$T/db
DIST=$CS_ROOT/dist

"$CS_REL" demo "$T/lib" --tracks 5 --bars 2 >/dev/null || { fail setup "cs demo"; exit 0; }
cd "$T" || exit 0
# One selected track's audio ends before its cues: every export skips it
# (the shards each say so in their manifests, the merge leaves it out too).
short="lib/audio/Demo 01 - Night Drive.wav"
sox "$short" short.wav trim 0 10 && mv short.wav "$short" || { fail setup "sox trim"; exit 0; }
SEL=(lib/struct --rekordbox-xml lib/rekordbox.xml --bpm 122.5 --delta 4 --n-sections 3 --ladder 114:130:8 --max-stretch 0 --stretch rate -j 1)
"$CS_REL" export "${SEL[@]}" --set single --no-progress >single.log 2>&1 \
    || { fail setup "single export: $(tail -2 single.log)"; exit 0; }
n_parts=$(find single -name '*.wav' | wc -l)
[ "$n_parts" -ge 12 ] || { fail setup "single export made $n_parts parts"; exit 0; }
n_jobs=$((n_parts + 4))   # planned: also the skipped track's cut and 3 rungs

# same_set A B: every part of A in B, byte for byte, nothing more; set.csv
# equal; set.json equal apart from timestamps (it has none today).
same_set() {
    local a=$1 b=$2 f why=
    [ -f "$b/set.json" ] && [ -f "$b/set.csv" ] || { echo "no set.json/set.csv in $b"; return 1; }
    diff <(cd "$a" && find . -name '*.wav' | sort) <(cd "$b" && find . -name '*.wav' | sort) >/dev/null \
        || { echo "part lists differ: $(diff <(cd "$a" && find . -name '*.wav' | sort) <(cd "$b" && find . -name '*.wav' | sort) | head -2 | tr '\n' ' ')"; return 1; }
    while IFS= read -r -d '' f; do
        cmp -s "$a/$f" "$b/$f" || { echo "$f differs"; return 1; }
    done < <(cd "$a" && find . -name '*.wav' -print0)
    cmp -s "$a/set.csv" "$b/set.csv" || { echo "set.csv differs"; return 1; }
    python3 - "$a/set.json" "$b/set.json" <<'PY' || return 1
import json, sys
def load(p):
    m = json.load(open(p))
    for k in ("created", "exported_at", "timestamp"):
        m.pop(k, None)
    return m
a, b = load(sys.argv[1]), load(sys.argv[2])
if a != b:
    ta, tb = a.get("tracks", []), b.get("tracks", [])
    why = [(i, k, x.get(k), y.get(k)) for i, (x, y) in enumerate(zip(ta, tb)) for k in set(x) | set(y) if x.get(k) != y.get(k)]
    print("set.json differs:", [k for k in a if a.get(k) != b.get(k)], str(why[:2])[:300])
    sys.exit(1)
PY
}

# ---- usage: bad shards are refused before anything runs -------------------------
u=0
for bad in "--shard 4/4" "--shard x" "--shard 1/0" "--shard 0/2 --merge byhand" "--dry-run --merge byhand"; do
    # shellcheck disable=SC2086
    "$CS_REL" export "${SEL[@]}" --set nothing $bad >usage.log 2>&1
    rc=$?
    { [ $rc = 2 ] && grep -q 'shard\|merge' usage.log && [ ! -e nothing ]; } || { u=1; fail usage_errors "$bad: rc $rc: $(head -1 usage.log)"; }
done
[ $u = 0 ] && pass usage_errors

# ---- shards: one partition, every job in exactly one shard ------------------
for i in 0 1 2 3; do
    "$CS_REL" export "${SEL[@]}" --set "byhand/shard-$i" --shard "$i/4" --no-progress >"byhand-$i.log" 2>&1 \
        || fail shard_runs "shard $i/4: $(tail -1 "byhand-$i.log")"
done
part=$(python3 - "$n_parts" byhand/shard-{0,1,2,3}/cs-shard-*-of-4.json <<'PY'
import json, sys
want = int(sys.argv[1]); seen = {}; skipped = {}; bad = []
for p in sys.argv[2:]:
    m = json.load(open(p))
    if m["state"] != "done" or m["counts"]["failed"]: bad.append(p + " not done")
    for j in m["jobs"]:
        if j["part"] in seen or j["part"] in skipped: bad.append(j["part"] + " in two shards")
        if j["status"] == "skipped" and "Night Drive" in j["part"] and "cues outside" in j.get("why", ""):
            skipped[j["part"]] = 1
            continue
        seen[j["part"]] = m["shard"]["index"]
        if j["status"] != "rendered" or j["frames"] <= 0 or not j["key"].startswith("v"): bad.append(str(j))
sizes = sorted(sum(1 for v in seen.values() if v == i) for i in range(4))
print("ok" if not bad and len(seen) == want and sizes[0] > 0 and len(skipped) >= 2 else "bad", len(seen), len(skipped), sizes, bad[:2])
PY
)
[ "${part%% *}" = ok ] && pass partition_exactly_once || fail partition_exactly_once "$part"
# A shard writes no CSV or set.json: only its parts and its manifest.
if [ ! -e byhand/shard-0/set.csv ] && [ ! -e byhand/shard-0/set.json ]; then pass shard_no_set
else fail shard_no_set "a shard wrote set.csv/set.json"; fi

"$CS_REL" export "${SEL[@]}" --set byhand/set --merge byhand/shard-{0,1,2,3} >merge.log 2>&1
rc=$?
why=$(same_set single byhand/set)
[ $rc = 0 ] && [ -z "$why" ] && pass merge_equals_single || fail merge_equals_single "rc $rc; $why $(tail -2 merge.log)"
# The track skipped in the shards is skipped by the merge, as by one machine.
grep -q 'Night Drive.wav: skipped (in shard [0-3]/4): .*cues outside the audio' merge.log \
    && grep -q 'Night Drive.*skipped: .*cues outside the audio' single.log && ! grep -q 'Night Drive' byhand/set/set.csv \
    && pass merge_skipped_track || fail merge_skipped_track "$(grep -m1 'Night Drive' merge.log)"
# The summary gives rendered/skipped/failed per shard.
[ "$(grep -c '^merge: shard [0-3]/4 .*rendered [0-9]*, up to date [0-9]*, skipped [0-9]*, failed 0' merge.log)" = 4 ] \
    && grep -q '^merge: shard [0-3]/4 .*skipped [1-9]' merge.log \
    && pass merge_summary || fail merge_summary "$(head -5 merge.log)"
# Idempotent: merged again, the same set, exit 0.
cp byhand/set/set.json set1.json
"$CS_REL" export "${SEL[@]}" --set byhand/set --merge byhand/shard-{0,1,2,3} >merge2.log 2>&1 \
    && cmp -s set1.json byhand/set/set.json && [ -z "$(same_set single byhand/set)" ] \
    && pass merge_idempotent || fail merge_idempotent "$(tail -2 merge2.log)"

# Shards sharing one folder, which becomes the set; an older run's manifests
# (another N) left there are left out.
"$CS_REL" export "${SEL[@]}" --set one --shard 1/3 >/dev/null 2>&1
for i in 0 1 2 3; do "$CS_REL" export "${SEL[@]}" --set one --shard "$i/4" >/dev/null 2>&1; done
"$CS_REL" export "${SEL[@]}" --set one --merge one >one.log 2>&1
rc=$?
why=$(same_set single one)
[ $rc = 0 ] && [ -z "$why" ] && grep -q 'cs-shard-1-of-3.json left out' one.log \
    && pass shared_folder || fail shared_folder "rc $rc; $why; $(tail -2 one.log)"

# A missing shard is named, exit 1, and nothing is written.
"$CS_REL" export "${SEL[@]}" --set missing --merge byhand/shard-{0,1,3} >missing.log 2>&1
rc=$?
if [ $rc = 1 ] && grep -q 'shard 2/4 is missing' missing.log && [ ! -e missing/set.json ] && [ ! -e missing/set.csv ]
then pass merge_missing_shard; else fail merge_missing_shard "rc $rc: $(head -3 missing.log)"; fi
# A part cut short in its shard's folder is named by file (length check).
victim=$(cd byhand/shard-1 && find . -name '*.wav' | head -1)
cp "byhand/shard-1/$victim" saved.wav
head -c 2000 saved.wav >"byhand/shard-1/$victim"
"$CS_REL" export "${SEL[@]}" --set cut --merge byhand/shard-{0,1,2,3} >cut.log 2>&1
rc=$?
base=$(basename "$victim")
[ $rc = 1 ] && grep -qF "$base" cut.log && grep -q 'manifest says' cut.log && [ ! -e cut/set.json ] \
    && pass merge_checks_length || fail merge_checks_length "rc $rc: $(head -3 cut.log)"
cp saved.wav "byhand/shard-1/$victim"
# Another selection's shards are refused (their plan differs).
"$CS_REL" export "${SEL[@]/114:130:8/114:130:4}" --set other --merge byhand/shard-{0,1,2,3} >other.log 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'planned another export\|rendered for another job\|not in shard' other.log \
    && pass merge_other_selection || fail merge_other_selection "rc $rc: $(head -3 other.log)"

# ---- dry run -------------------------------------------------------------------
"$CS_REL" export "${SEL[@]}" --set fresh --dry-run >dry.log 2>&1
if [ "$(grep -c '^render ' dry.log)" = "$n_jobs" ] && grep -q 'measured just now on this machine' dry.log \
    && grep -q 'CPU-hours' dry.log && grep -q 'GB of parts' dry.log && [ ! -e fresh ]
then pass dry_run_lists_jobs; else fail dry_run_lists_jobs "$(tail -3 dry.log)"; fi
"$CS_REL" export "${SEL[@]}" --set single --dry-run >dry2.log 2>&1
[ "$(grep -c '^up-to-date ' dry2.log)" = "$n_parts" ] && grep -q "up to date $n_parts, to render 4" dry2.log \
    && pass dry_run_up_to_date || fail dry_run_up_to_date "$(tail -3 dry2.log)"

# ---- GNU parallel on this machine: 4 shards at once ---------------------------
if ! command -v parallel >/dev/null; then
    skip parallel_local "GNU parallel not installed (scripts/install-deps.sh --test)"
else
    CS=$CS_REL "$DIST/render-parallel.sh" -n 4 par -- "${SEL[@]}" >par.log 2>&1
    rc=$?
    why=$(same_set single par)
    [ $rc = 0 ] && [ -z "$why" ] && [ "$(ls par.shards/shard-*/cs-shard-*-of-4.json | wc -l)" = 4 ] \
        && pass parallel_local || fail parallel_local "rc $rc; $why; $(tail -3 par.log)"
    # Each shard reports (parallel tags its lines).
    [ "$(grep -c '^shard [0-3]/4.*export: shard [0-3]/4: [0-9]* of [0-9]* jobs: rendered' par.log)" = 4 ] \
        && pass parallel_progress || fail parallel_progress "$(grep -m2 'shard' par.log)"
fi

# ---- GNU parallel over "ssh hosts" (a test double: no network) ----------------
mkdir -p fakebin
cat >fakebin/fakessh <<'SH'
#!/bin/sh
# ssh's stand-in: runs the command here, in $FAKE_REMOTE/<host> (the host's
# home), as ssh would run it there; options are skipped.  As sshd does, it
# sets HOME and SHELL (the account's login shell: this user's, or
# $FAKE_REMOTE/<host>.shell when the test gives the host another) whatever
# the caller's environment has: CI runs without SHELL, a real host never does.
while [ $# -gt 0 ]; do
    case $1 in -l|-p|-o|-S|-F|-i|-e) shift 2 ;; --) shift; break ;; -*) shift ;; *) break ;; esac
done
host=$1; shift
[ "${1:-}" = -- ] && shift
mkdir -p "$FAKE_REMOTE/$host" && cd "$FAKE_REMOTE/$host" || exit 255
login=$(getent passwd "$(id -u)" | cut -d: -f7)
[ -f "$FAKE_REMOTE/$host.shell" ] && login=$(cat "$FAKE_REMOTE/$host.shell")
# The command itself goes through sh: parallel's wrapper (exec perl -e ...)
# is written to run under any login shell, csh and fish too.
HOME=$FAKE_REMOTE/$host SHELL=${login:-/bin/sh} exec sh -c "$*"
SH
chmod +x fakebin/fakessh
printf '%s\n' "$T/fakebin/fakessh hostA" "$T/fakebin/fakessh hostB" >hosts
export FAKE_REMOTE=$T/remote
if ! command -v parallel >/dev/null; then skip parallel_ssh "GNU parallel not installed"
else
    # Shared mount: the same paths on every host (here: absolute paths).
    ASEL=("$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" "${SEL[@]:3}")
    CS=$CS_REL "$DIST/render-parallel.sh" -n 2 -S hosts -w "$T/shared" sshset -- "${ASEL[@]}" >ssh.log 2>&1
    rc=$?
    why=$(same_set single sshset)
    ran=$(ls -d remote/host* 2>/dev/null | wc -l)
    [ $rc = 0 ] && [ -z "$why" ] && [ "$ran" -ge 1 ] && pass parallel_ssh_shared \
        || { fail parallel_ssh_shared "rc $rc; hosts used $ran; $why; $(tail -3 ssh.log)"; sed 's/^/    ssh.log: /' ssh.log | tail -30; }
    if ! command -v rsync >/dev/null; then skip parallel_ssh_transfer "rsync not installed (parallel --basefile/--return use it)"
    else
        # No shared mount: lib/ goes to each host, each shard's folder comes back.
        rm -rf remote
        CS=$CS_REL "$DIST/render-parallel.sh" -n 2 -S hosts -t lib -w tx tset -- "${SEL[@]}" >tx.log 2>&1
        rc=$?
        why=$(same_set single tset)
        left=$(find remote -name '*.wav' 2>/dev/null | wc -l)
        [ $rc = 0 ] && [ -z "$why" ] && [ "$left" = 0 ] && [ -d remote ] && pass parallel_ssh_transfer \
            || { fail parallel_ssh_transfer "rc $rc; $left parts left on the hosts; $why; $(tail -3 tx.log)"; sed 's/^/    tx.log: /' tx.log | tail -30; }
    fi
fi

# A host whose login shell is not a POSIX shell (fish, csh: here a stand-in
# that says so and fails): the shard's command is sh's, and parallel runs it
# with the remote $SHELL unless told otherwise (render-parallel.sh sets
# PARALLEL_SHELL=/bin/sh).  A dry run: the check is where it runs, not what.
if command -v parallel >/dev/null; then
    rm -rf remote && mkdir -p remote
    printf '#!/bin/sh\necho "fish: not a POSIX shell: $*" >&2\nexit 127\n' >fakebin/fish
    chmod +x fakebin/fish
    echo "$T/fakebin/fish" >remote/hostF.shell
    echo "$T/fakebin/fakessh hostF" >fishhosts
    CS=$CS_REL "$DIST/render-parallel.sh" -d -n 1 -S fishhosts -w "$T/fishw" fishset -- "${ASEL[@]}" >fish.log 2>&1
    rc=$?
    [ $rc = 0 ] && grep -q 'dry run: shard 0/1' fish.log && ! grep -q 'not a POSIX shell' fish.log \
        && pass parallel_ssh_login_shell \
        || { fail parallel_ssh_login_shell "rc $rc; $(grep -m1 -e 'POSIX' -e error fish.log)"; sed 's/^/    fish.log: /' fish.log | tail -20; }
fi

# A host whose first job dies (ssh dropped, a reboot): the shard is tried
# again (render-parallel.sh runs parallel --retries 3), and the set is whole.
if command -v parallel >/dev/null; then
    cat >fakebin/flakyssh <<'SH'
#!/bin/sh
# The first connection to this host fails as a dropped ssh does.
echo "$*" >>"$FAKE_REMOTE/.calls-$1"
[ -e "$FAKE_REMOTE/.dropped-$1" ] || { : >"$FAKE_REMOTE/.dropped-$1"; exit 255; }
exec "$(dirname "$0")/fakessh" "$@"
SH
    chmod +x fakebin/flakyssh
    printf '%s\n' "$T/fakebin/flakyssh hostC" "$T/fakebin/flakyssh hostD" >flakyhosts
    rm -rf remote && mkdir -p remote
    ASEL=("$T/lib/struct" --rekordbox-xml "$T/lib/rekordbox.xml" "${SEL[@]:3}")
    CS=$CS_REL "$DIST/render-parallel.sh" -n 2 -S flakyhosts -w "$T/flaky" flakyset -- "${ASEL[@]}" >flaky.log 2>&1
    rc=$?
    why=$(same_set single flakyset)
    [ $rc = 0 ] && [ -z "$why" ] && [ -e remote/.dropped-hostC ] && pass parallel_ssh_retry \
        || { fail parallel_ssh_retry "rc $rc; dropped $(ls remote/.dropped-* 2>/dev/null | wc -l); $why"; sed 's/^/    flaky.log: /' flaky.log | tail -30; }
fi

# ---- Slurm job array -------------------------------------------------------------
# A single-node Slurm on loopback (munged, slurmctld, slurmd from Debian's
# slurm-wlm, in $T/slurm, on two free ports), when installed and run as root;
# else a test double for sbatch that runs the tasks here, in order.
slurm_pids=()
stop_slurm() {
    local p
    for p in "${slurm_pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${slurm_pids[@]}"; do wait "$p" 2>/dev/null; done
    slurm_pids=()
}
trap 'stop_slurm; rm -rf "$T"' EXIT
start_slurm() {   # 0 when the node is idle; SLURM_CONF exported
    local c S=$T/slurm H ports
    [ "$(id -u)" = 0 ] || return 1
    for c in munged slurmctld slurmd sbatch sinfo squeue; do command -v "$c" >/dev/null || return 1; done
    mkdir -p "$S/state" "$S/spool" && H=$(hostname -s) || return 1
    head -c 1024 /dev/urandom >"$S/munge.key" && chmod 400 "$S/munge.key"
    ports=$(python3 -c 'import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])') || return 1
    cat >"$S/slurm.conf" <<CONF
ClusterName=cstest
SlurmctldHost=$H(127.0.0.1)
SlurmctldPort=${ports% *}
SlurmdPort=${ports#* }
AuthType=auth/munge
AuthInfo=socket=$S/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MinJobAge=300
NodeName=$H NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF=$S/slurm.conf
    munged -F -f --key-file="$S/munge.key" --socket="$S/munge.sock" --pid-file="$S/munged.pid" \
        --log-file="$S/munged.log" --seed-file="$S/munged.seed" >/dev/null 2>&1 &
    slurm_pids+=($!)
    for _ in $(seq 1 50); do [ -S "$S/munge.sock" ] && break; sleep 0.1; done
    slurmctld -D -i -f "$SLURM_CONF" >/dev/null 2>&1 &
    slurm_pids+=($!)
    slurmd -D -f "$SLURM_CONF" >/dev/null 2>&1 &
    slurm_pids+=($!)
    local t=$SECONDS
    while [ $((SECONDS - t)) -lt 20 ]; do
        [ "$(timeout 5 sinfo -h -o %T 2>/dev/null)" = idle ] && return 0
        sleep 0.2
    done
    return 1
}
wait_jobs() {   # until the queue is empty, 90 s at most
    local t=$SECONDS
    while [ $((SECONDS - t)) -lt 90 ]; do
        [ -z "$(timeout 5 squeue -h 2>/dev/null || echo busy)" ] && return 0
        sleep 0.2
    done
    return 1
}
: >sbatch.log
t0=$SECONDS
if [ -z "${CS_TEST_NO_SLURM:-}" ] && start_slurm; then   # CS_TEST_NO_SLURM=1: the double
    echo "# shard.sh: single-node Slurm up in $((SECONDS - t0)) s"
    # The tasks' shard arguments, under Slurm: a --dry-run array; every job once.
    SBATCH_ARGS="--cpus-per-task=1" CS=$CS_REL CS_DRY_RUN=1 TMPDIR=$T "$DIST/render-slurm.sh" 3 sdryset sdrywork -- "${SEL[@]}" >sdry.log 2>&1
    rc=$?
    wait_jobs || rc="$rc, jobs still queued after 90 s"
    cat cs-render-*_[0-2].log >sdry-all.log 2>/dev/null
    for i in 0 1 2; do grep -h "dry run: shard $i/3" cs-render-*_"$i".log >/dev/null 2>&1 || rc="$rc, no task $i"; done
    rm -f cs-render-*.log cs-merge-*.log
    SBATCH_ARGS="--cpus-per-task=1" CS=$CS_REL TMPDIR=$T "$DIST/render-slurm.sh" 2 sset swork -- "${SEL[@]}" >slurm.log 2>&1
    src=$?
    wait_jobs || src="$src, jobs still queued after 90 s"
    mlog=$(cat cs-merge-*.log 2>/dev/null)
    how="Slurm"
else
    echo "# shard.sh: no single-node Slurm here (slurmctld, slurmd, munge as root): sbatch's test double"
    cat >fakebin/sbatch <<'SH'
#!/usr/bin/env bash
# sbatch's stand-in: logs its options to $SBATCH_LOG, runs an --array's tasks
# one after another with Slurm's variables set (a dependent job at once: the
# array has finished), prints a job id as --parsable does.
array= out=
while [ $# -gt 0 ]; do
    case $1 in
        --array=*) array=${1#--array=} ;;
        --output=*) out=${1#--output=} ;;
        -*) ;;
        *) break ;;
    esac
    echo "opt $1" >>"$SBATCH_LOG"; shift
done
script=$1; shift
id=$((1000 + $(wc -l <"$SBATCH_LOG")))
if [ -n "$array" ]; then
    lo=${array%-*} hi=${array#*-}
    for ((i = lo; i <= hi; i++)); do
        SLURM_ARRAY_JOB_ID=$id SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=$((hi - lo + 1)) SLURM_CPUS_PER_TASK=1 \
            bash "$script" "$@" >"cs-render-${id}_$i.log" 2>&1 || echo "task $i failed" >>"$SBATCH_LOG"
    done
else
    out=${out:-slurm-%j.log}
    SLURM_JOB_ID=$id bash "$script" "$@" >"${out//%j/$id}" 2>&1 || echo "job $id failed" >>"$SBATCH_LOG"
fi
echo "$id"
SH
    chmod +x fakebin/sbatch
    export SBATCH_LOG=$T/sbatch.log
    PATH=$T/fakebin:$PATH CS=$CS_REL CS_DRY_RUN=1 TMPDIR=$T "$DIST/render-slurm.sh" 3 sdryset sdrywork -- "${SEL[@]}" >sdry.log 2>&1
    rc=$?
    cat cs-render-*_[0-2].log >sdry-all.log 2>/dev/null
    rm -f cs-render-*.log cs-merge-*.log
    PATH=$T/fakebin:$PATH CS=$CS_REL TMPDIR=$T "$DIST/render-slurm.sh" 2 sset swork -- "${SEL[@]}" >slurm.log 2>&1
    src=$?
    mlog=$(cat cs-merge-*.log 2>/dev/null)
    how="sbatch double"
    grep -q '^opt --array=0-1$' sbatch.log && grep -q '^opt --dependency=afterany:1' sbatch.log \
        || src="$src, sbatch options: $(tr '\n' ' ' <sbatch.log)"
fi
jobs=$(grep -E '^(render|up-to-date) ' sdry-all.log | sed -E 's/^[a-z-]+ +[0-9.]+ s  //' | sort)
uniq_jobs=$(printf '%s\n' "$jobs" | sort -u | grep -c .)
total=$(printf '%s\n' "$jobs" | grep -c .)
[ "$rc" = 0 ] && [ "$total" = "$n_jobs" ] && [ "$uniq_jobs" = "$n_jobs" ] && [ ! -e sdryset ] \
    && pass slurm_task_shards || fail slurm_task_shards "$how: rc $rc; $total jobs, $uniq_jobs distinct, want $n_jobs"
why=$(same_set single sset)
if [ "$src" = 0 ] && [ -z "$why" ] && grep -q 'merge: 2 shards\|merge: [0-9]* parts from 2 shards' <<<"$mlog"
then pass slurm_array_and_merge; else fail slurm_array_and_merge "$how: rc $src; $why; $(tail -2 slurm.log) $(tail -2 <<<"$mlog")"; fi
stop_slurm

# sums DIR: "part<TAB>md5" per part, sorted (names have spaces).
sums() { (cd "$1" && find . -name '*.wav' -print0 | xargs -0 -r md5sum | sed -E 's/^([0-9a-f]+)  (.*)$/\2\t\1/' | sort); }

# ---- a killed shard: only whole parts, the re-run renders the rest -------------
# 42 jobs, ~21 in shard 0/2, ~0.1 s each: killed after its first 2 parts.
KSEL=(lib/struct --rekordbox-xml lib/rekordbox.xml --bpm 122.5 --delta 4 --n-sections 3 --ladder 114:130:4 --max-stretch 0 --stretch rate -j 1)
"$CS_REL" export "${KSEL[@]}" --set kill/shard-0 --shard 0/2 --no-progress >kill1.log 2>&1 &
pid=$!
for _ in $(seq 1 600); do
    [ "$(find kill/shard-0 -name '*.wav' 2>/dev/null | wc -l)" -ge 2 ] && break
    sleep 0.02
done
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
before=$(find kill/shard-0 -name '*.wav' | wc -l)
# Parts the killed run recorded (a part written in the instant before its
# journal line is rendered again, which is right: the journal is the proof).
recorded=$(sort -u -t "$(printf '\t')" -k5,5 kill/shard-0/cs-shard-0-of-2.journal 2>/dev/null | grep -c .)
sums kill/shard-0 >kill-before.md5
grep -q '"state":[[:space:]]*"running"' kill/shard-0/cs-shard-0-of-2.json && [ "$before" -ge 2 ] && pass killed_manifest_running \
    || fail killed_manifest_running "$(head -c 300 kill/shard-0/cs-shard-0-of-2.json)"
# The merge names the unfinished shard.
"$CS_REL" export "${KSEL[@]}" --set kill/set --merge kill/shard-0 kill/shard-0 >kmerge.log 2>&1
grep -q 'shard 0/2 (kill/shard-0, host .*) did not finish' kmerge.log && grep -q 'shard 1/2 is missing' kmerge.log \
    && pass merge_names_unfinished || fail merge_names_unfinished "$(head -3 kmerge.log)"
# The re-run, with another database (as on another node): renders the rest only.
"$CS_REL" --db "$T/other.db" export "${KSEL[@]}" --set kill/shard-0 --shard 0/2 --no-progress >kill2.log 2>&1
line=$(grep 'export: shard 0/2:' kill2.log)
mine=$(sed -n 's/.*shard 0\/2: \([0-9]*\) of.*/\1/p' <<<"$line")
rendered=$(sed -n 's/.*rendered \([0-9]*\),.*/\1/p' <<<"$line")
up=$(sed -n 's/.*up to date \([0-9]*\),.*/\1/p' <<<"$line")
skipped=$(sed -n 's/.*skipped \([0-9]*\),.*/\1/p' <<<"$line")
sums kill/shard-0 | join -t "$(printf '\t')" - kill-before.md5 | awk -F '\t' '$2 != $3' >changed
if [ "$before" -ge 1 ] && [ -n "$mine" ] && [ "$up" = "$recorded" ] && [ -n "$skipped" ] && [ "$rendered" = $((mine - recorded - skipped)) ] && [ ! -s changed ]
then pass killed_rerun_renders_rest
else fail killed_rerun_renders_rest "had $before parts; re-run: $(tail -1 <<<"$line") (mine $mine, rendered $rendered, up $up, recorded $recorded, skipped $skipped); changed: $(head -1 changed)"; fi
# No part under a final name was cut short: all match a clean single-shard render.
"$CS_REL" --db "$T/clean.db" export "${KSEL[@]}" --set kill/clean --shard 0/2 --no-progress >kill3.log 2>&1
sums kill/clean >clean.md5
join -t "$(printf '\t')" kill-before.md5 clean.md5 | awk -F '\t' '$2 != $3' >bad
[ ! -s bad ] && [ "$(join -t "$(printf '\t')" kill-before.md5 clean.md5 | wc -l)" = "$before" ] && pass killed_parts_whole \
    || fail killed_parts_whole "$(head -1 bad)"
