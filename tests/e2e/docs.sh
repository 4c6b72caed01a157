#!/usr/bin/env bash
# The documentation holds together (issue 24): README.md stays short (at
# most ~200 lines) and points at every docs/*.md; every relative link in
# README.md and docs/*.md names a file that exists, every #anchor a heading
# of that file (GitHub's rule: lower case, punctuation dropped, spaces to
# hyphens), and every section cited by name after a link (`[osc.md](osc.md)
# "Watching"`) a heading of that file that starts so; the same for every
# `docs/X.md "Section"` a source file, script, Makefile or unit cites, so a
# renamed heading breaks here, not silently in a comment; no code comment
# cites DESIGN.md, the research notes or the README's tables.  Every
# `cs` line in a ```sh block uses options cs has.
. "$(dirname "$0")/lib.sh"
SELF=$(realpath "$0")
command -v python3 >/dev/null || { skip all "python3 not installed"; exit 0; }
cd "$CS_ROOT" || exit 1

n=$(wc -l <README.md)
check readme_short [ "$n" -le 200 ]
[ "$n" -le 200 ] || echo "  README.md has $n lines"

python3 - >"$T/links.txt" 2>&1 <<'PY'
import os, re, sys
files = ["README.md"] + sorted("docs/" + f for f in os.listdir("docs") if f.endswith(".md"))
def anchors(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"#{1,6}\s+(.*)", line)
        if m:
            title = m.group(1).strip()
            a = re.sub(r"[^\w\- ]", "", title.lower().replace("`", "")).replace(" ", "-")
            out[a] = title
    return out
bad, nlinks, ncited = [], 0, 0
readme = open("README.md", encoding="utf-8").read()
for f in files[1:]:
    if f not in readme:
        bad.append("README.md does not point at %s" % f)
for f in files:
    text = open(f, encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)   # code blocks hold no links
    for m in re.finditer(r"\]\(([^)\s]+)\)(\s*\"([^\"]+)\")?", text):
        target, cited = m.group(1), m.group(3)
        cited = re.sub(r"\s+", " ", cited) if cited else cited
        if re.match(r"[a-z]+:", target):
            continue
        nlinks += 1
        path, _, frag = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
        if not os.path.exists(dest):
            bad.append("%s: link to %s: no such file" % (f, target)); continue
        if not dest.endswith(".md"):
            continue
        heads = anchors(dest)
        if frag and frag not in heads:
            bad.append("%s: link to %s: no heading with that anchor" % (f, target))
        if cited:
            ncited += 1
            if not any(t.startswith(cited) or t.startswith("`" + cited) for t in heads.values()) \
               and not any(cited in t for t in heads.values()):
                bad.append('%s: "%s" is no heading of %s' % (f, cited, dest))
# citations from the code and build files: docs/X.md "Section"
import subprocess
src = subprocess.run(["git", "ls-files", "--", "*.c", "*.h", "*.cpp", "*.sql", "*.sh", "*.py", "*.in",
                      "Makefile", ".ci/run", "dist/*"], capture_output=True, text=True).stdout.split()
for f in src:
    if not os.path.isfile(f) or f.endswith("docs.sh"):
        continue
    text = re.sub(r"\s*\n\s*(\*|#|--)?\s*", " ", open(f, encoding="utf-8", errors="replace").read())
    for m in re.finditer(r"(docs/[\w.-]+\.md)[,:]? \\?\"([^\"\\]+)\\?\"", text):
        ncited += 1
        dest, cited = m.group(1), m.group(2)
        if not os.path.exists(dest):
            bad.append("%s: cites %s: no such file" % (f, dest)); continue
        if not any(t.startswith(cited) or t.startswith("`" + cited) or cited in t for t in anchors(dest).values()):
            bad.append('%s: cites %s "%s": no such heading' % (f, dest, cited))
print("%d links, %d cited sections in %d files" % (nlinks, ncited, len(files)))
for b in bad: print("BAD " + b)
sys.exit(1 if bad else 0)
PY
rc=$?
check links_resolve [ $rc -eq 0 ]
sed 's/^/  /' "$T/links.txt"

# Every `cs` command line in a ```sh block of README.md and docs/*.md names a
# command and options `cs help --all-options` lists (the release build's
# tables: what --help and the man page say).
"$CS_REL" help --all-options >"$T/opts.tsv" 2>&1
python3 - "$T/opts.tsv" >"$T/cmds.txt" 2>&1 <<'PY'
import glob, re, shlex, sys
opts = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) > 2:
        opts.setdefault(f[0], set()).update(o for o in (f[1], f[2]) if o != "-")
glob_opts = opts.get("cs", set())
bad, n = [], 0
for md in ["README.md"] + sorted(glob.glob("docs/*.md")):
    text = open(md, encoding="utf-8").read()
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M):
        block = block.replace("\\\n", " ")
        for line in block.splitlines():
            line = line.split(" # ")[0].split("  #")[0].strip()
            if not line.startswith("cs "):
                continue
            line = line.split("&")[0].split("|")[0]
            try:
                words = shlex.split(line)
            except ValueError:
                words = line.split()
            words = words[1:]
            while words and words[0] in glob_opts | {"--db"}:
                words = words[2:] if words[0] == "--db" else words[1:]
            if not words:
                continue
            cmd, n = words[0], n + 1
            if cmd not in opts:
                bad.append("%s: %s: no command %s" % (md, line, cmd)); continue
            for w in words[1:]:
                o = w.split("=")[0]
                if o.startswith("-") and not re.match(r"-\d", o) and o not in opts[cmd] | glob_opts | {"-h", "--help"}:
                    bad.append("%s: %s: cs %s has no option %s" % (md, line, cmd, o))
print("%d cs command lines checked" % n)
for b in bad: print("BAD " + b)
sys.exit(1 if bad or n < 10 else 0)
PY
rc=$?
check commands_have_their_options [ $rc -eq 0 ]
sed 's/^/  /' "$T/cmds.txt"

# Code and schema comments cite docs/ sections (`docs/osc.md "Status
# fields"`, checked above), never files the repository does not hold: the
# design notes, the research notes, the README's old tables.  One FAIL per
# hit.
hits=$(git grep -nE 'DESIGN\.md|research notes|shared/research|README.s' -- '*.c' '*.h' '*.cpp' '*.sql' 2>&1)
if [ -z "$hits" ]; then
    pass no_citations_of_missing_files
else
    while IFS= read -r h; do fail no_citations_of_missing_files "$h (cite a docs/X.md \"Section\")"; done <<<"$hits"
fi

# The checker must catch a broken link, a cited heading that is gone and a
# comment citing a missing file (run on a small broken tree; that run does
# not test itself again).
[ -n "${DOCS_INNER:-}" ] && exit 0
mkdir -p "$T/tree/docs"
printf '# x\n[a](docs/a.md) "Nowhere" and [b](docs/missing.md)\n```sh\ncs export --fromat x\n```\n' >"$T/tree/README.md"
printf '# A\n## Somewhere\n[c](#no-such-anchor)\n' >"$T/tree/docs/a.md"
printf '/* The rules (DESIGN.md "Sets"). */\n' >"$T/tree/x.h"
git -C "$T/tree" init -q && git -C "$T/tree" add x.h README.md docs
out=$(DOCS_INNER=1 CS_ROOT=$T/tree bash "$SELF" 2>&1)
if grep -q 'BAD README.md: "Nowhere"' <<<"$out" && grep -q 'missing.md: no such file' <<<"$out" \
    && grep -q 'no-such-anchor: no heading' <<<"$out" && grep -q 'cs export has no option --fromat' <<<"$out" \
    && grep -q 'FAIL docs:no_citations_of_missing_files: x.h:1:' <<<"$out"; then
    pass checker_catches_breakage
else
    fail checker_catches_breakage "$(echo "$out" | head -5 | tr '\n' ' ')"
fi
