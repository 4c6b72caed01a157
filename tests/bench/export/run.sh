#!/usr/bin/env bash
# Benchmark: cs export of a 7-rung ladder over synthesised three-minute tracks,
# side by side in one run with what a user would otherwise do per track and
# rung: `ffmpeg -ss -to -i SRC -filter:a atempo=SPEED` (the original tool's
# way) and the `rubberband` CLI (after one ffmpeg cut per track).  Prints wall
# and CPU time of each and the ratios.  Not part of pass/fail.
#   tests/bench/export/run.sh [TRACKS (default 20)] [JOBS (default: cores)]
set -euo pipefail
cd "$(dirname "$0")/../../.."
exec python3 tests/bench/export/bench.py "${CS:-build/rel/cs}" "$@"
