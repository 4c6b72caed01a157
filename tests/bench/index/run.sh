#!/usr/bin/env bash
# Benchmark: cs index on 10,000 generated struct JSONs (~500 beats each) and a
# 50,000-track Rekordbox XML: files/s, seconds and peak RSS for a first index
# and for an unchanged re-index.  Not part of pass/fail.
set -euo pipefail
cd "$(dirname "$0")/../../.."
exec python3 tests/bench/index/bench.py "${CS:-build/rel/cs}" "$@"
