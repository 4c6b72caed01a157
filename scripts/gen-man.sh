#!/usr/bin/env bash
# Makes the man page cs.1 from the built binary's own --help texts, so the
# page cannot drift from them: help2man writes the top of the page from
# `cs --help` and `cs --version`, and each command's `cs CMD --help` goes
# into a COMMANDS section verbatim (roff-escaped, not refilled).
# usage: scripts/gen-man.sh build/rel/cs OUT.1
set -euo pipefail
cs=$1 out=$2
command -v help2man >/dev/null || { echo "gen-man: help2man missing (scripts/install-deps.sh --dev)" >&2; exit 1; }
inc=$(mktemp)
trap 'rm -f "$inc"' EXIT
roff() { sed -e 's/\\/\\e/g' -e 's/^\([.'"'"']\)/\\\&\1/' -e 's/-/\\-/g'; }
cmds=$("$cs" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1; next } on && !/^  / { on = 0 }')
{
    echo "[COMMANDS]"
    for c in $cmds; do
        echo ".SS \"cs $c\""
        echo ".nf"
        "$cs" "$c" --help | roff
        echo ".fi"
    done
    echo "[FILES]"
    echo ".TP"
    echo ".I /etc/default/cs\\-play"
    echo "settings of cs\\-play.service (set folder, OSC port, device, buffer size)"
    echo ".TP"
    echo ".I SET/set.json, SET/set.csv"
    echo "a set folder's manifest and export CSV (cs export \\-\\-set)"
} >"$inc"
help2man --no-info --no-discard-stderr --name "Crowdstream: BPM ladders of track sections, played live by crowd movement" \
    --include "$inc" --output "$out.tmp" "$cs"
mv "$out.tmp" "$out"
