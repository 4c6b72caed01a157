#!/usr/bin/env bash
# Submits a cs export to Slurm: a job array of N shards, then the merge as a
# job that waits for the whole array (afterany).  See render-slurm.sbatch.
#
#   render-slurm.sh N SET WORK -- EXPORT-ARGS...   [SBATCH_ARGS="--partition=x"]
#
# CS_DRY_RUN=1: the array only, each task listing its jobs (no merge).
# Prints the two job ids.  Exit status: sbatch's.
set -euo pipefail
[ $# -ge 4 ] && [ "$4" = -- ] || { echo "usage: render-slurm.sh N SET WORK -- EXPORT-ARGS..." >&2; exit 2; }
n=$1
case $n in ''|*[!0-9]*|0) echo "render-slurm.sh: N '$n' is not a shard count" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
script=${CS_SBATCH_SCRIPT:-$here/render-slurm.sbatch}
extra=()
[ -n "${SBATCH_ARGS:-}" ] && read -r -a extra <<<"$SBATCH_ARGS"
export CS_SHARDS=$n
array=$(sbatch --parsable "${extra[@]}" --export=ALL --array=0-$((n - 1)) "$script" shard "${@:2}")
array=${array%%;*}
if [ "${CS_DRY_RUN:-0}" = 1 ]; then   # each task lists its jobs: nothing to merge
    echo "render-slurm.sh: dry run: shards: job $array (array 0-$((n - 1))), no merge"
    exit 0
fi
merge=$(sbatch --parsable "${extra[@]}" --export=ALL --dependency=afterany:"$array" --job-name=cs-merge \
    --output=cs-merge-%j.log "$script" merge "${@:2}")
echo "render-slurm.sh: shards: job $array (array 0-$((n - 1))), merge: job ${merge%%;*}"
