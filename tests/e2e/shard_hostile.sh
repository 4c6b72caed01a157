#!/usr/bin/env bash
# cs export --merge against crafted shard folders (issue 25 review): a
# shard's folder and manifest are input.  A part that is a symbolic link
# (to a file outside the shard folder) is neither read nor linked into the
# set (a hard link of a symlink would put the link itself in the set), nor
# one under a folder that is a symlink out of it; a
# manifest's shard count beyond CS_SHARD_MAX is refused in one line naming
# the file (it would make the merge name billions of missing shards).
. "$(dirname "$0")/lib.sh"
export CS_DB=$T/db

"$CS_REL" demo "$T/lib" --tracks 2 --bars 2 >/dev/null || { fail setup "cs demo"; exit 0; }
cd "$T" || exit 0
SEL=(lib/struct --rekordbox-xml lib/rekordbox.xml --bpm 122.5 --delta 4 --n-sections 2 --ladder 118:126:8 --stretch rate -j 1)
"$CS_REL" export "${SEL[@]}" --set sh --shard 0/1 --no-progress >shard.log 2>&1 \
    || { fail setup "shard 0/1: $(tail -2 shard.log)"; exit 0; }
part=$(cd sh && find . -name '*.wav' | sort | head -1)
[ -n "$part" ] || { fail setup "the shard rendered no part"; exit 0; }

# ---- a part that is a symlink to a file outside the shard folder --------------
mkdir -p outside && cp "sh/$part" outside/secret.wav
rm "sh/$part" && ln -s "$T/outside/secret.wav" "sh/$part"
"$CS_REL" export "${SEL[@]}" --set set1 --merge sh >link.log 2>&1
rc=$?
links=$(find set1 -type l 2>/dev/null | head -1)
if [ -z "$links" ] && [ $rc != 0 ] && grep -q "sh/${part#./}.*symbolic link\|sh/${part#./}.*outside" link.log; then
    pass merge_refuses_symlinked_part
else
    fail merge_refuses_symlinked_part "rc $rc; link in the set: '$links'; $(grep -m1 -i 'link\|outside' link.log)"
fi
rm "sh/$part" && cp outside/secret.wav "sh/$part"
# ... or a folder on its way that is one.
sub=$(dirname "${part#./}")
mv "sh/$sub" "outside/$sub" && ln -s "$T/outside/$sub" "sh/$sub"
"$CS_REL" export "${SEL[@]}" --set set3 --merge sh >dirlink.log 2>&1
rc=$?
if [ $rc != 0 ] && [ -z "$(find "set3/$sub" -name '*.wav' 2>/dev/null | head -1)" ] \
    && grep -q "sh/$sub/.*outside the shard folder" dirlink.log; then
    pass merge_refuses_symlinked_folder
else
    fail merge_refuses_symlinked_folder "rc $rc; $(find "set3/$sub" -name '*.wav' 2>/dev/null | head -1); $(grep -m1 'outside\|error' dirlink.log)"
fi
rm "sh/$sub" && mv "outside/$sub" "sh/$sub"

# ---- a shard count beyond CS_SHARD_MAX -------------------------------------------
mkdir -p huge && python3 - sh/cs-shard-0-of-1.json huge/cs-shard-0-of-4000000000.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["shard"]["count"] = 4000000000
m["started"] = m.get("started", 0) + 1e9
json.dump(m, open(sys.argv[2], "w"))
PY
timeout 20 "$CS_REL" export "${SEL[@]}" --set set2 --merge sh huge >huge.log 2>&1
rc=$?
lines=$(wc -l <huge.log)
if [ $rc != 124 ] && [ $rc != 0 ] && [ "$lines" -lt 20 ] && grep -q 'huge/cs-shard-0-of-4000000000.json: .*shard' huge.log \
    && ! grep -q 'huge: no shard manifest' huge.log; then
    pass merge_refuses_huge_count
else
    fail merge_refuses_huge_count "rc $rc; $lines lines; $(head -c 300 huge.log)"
fi
