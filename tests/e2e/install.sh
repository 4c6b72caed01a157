#!/usr/bin/env bash
# Install and package (issue 11): `make` alone builds build/cs; `make
# install DESTDIR=` installs exactly the binary, the man page, the systemd
# unit and its settings file (the unit disabled, pointing at the installed
# binary); every option of every `cs CMD --help` is in the man page; `make
# uninstall` removes them (the settings stay); `make deb` makes a package
# whose Depends (computed by dpkg-shlibdeps) name the runtime libraries and
# which carries README.md and docs/ in /usr/share/doc/cs.
. "$(dirname "$0")/lib.sh"
command -v help2man >/dev/null || { skip all "help2man not installed (scripts/install-deps.sh --dev)"; exit 0; }
MK=(make -s --no-print-directory -C "$CS_ROOT")

"${MK[@]}" -n 2>&1 | grep -q "ln -sf rel/cs build/cs" && pass make_default_builds_cs \
    || fail make_default_builds_cs "$("${MK[@]}" -n 2>&1 | head -2)"

R=$T/root
"${MK[@]}" install DESTDIR="$R" PREFIX=/usr/local >"$T/install.log" 2>&1 || { fail install "$(tail -3 "$T/install.log")"; exit 0; }
want="etc/default/cs-play
usr/local/bin/cs
usr/local/lib/systemd/system/cs-play.service
usr/local/share/man/man1/cs.1"
comp=$(cd "$CS_ROOT" && ls dist/cs.bash-completion scripts/cs-completion.bash dist/cs-completion.bash 2>/dev/null | head -1)
[ -n "$comp" ] && want=$(printf '%s\nusr/local/share/bash-completion/completions/cs' "$want" | sort)
got=$(cd "$R" && find . -type f | sed 's|^\./||' | sort)
[ "$got" = "$want" ] && pass install_files || fail install_files "got: $(echo $got)"
v=$("$R/usr/local/bin/cs" --version 2>&1)
[[ "$v" == *"$(cat "$CS_ROOT/VERSION")"* ]] && pass installed_runs || fail installed_runs "$v"
U=$R/usr/local/lib/systemd/system/cs-play.service
if grep -q '^ExecStart=/usr/local/bin/cs play --set ${CS_SET}' "$U" && grep -q '^EnvironmentFile=/etc/default/cs-play' "$U" \
    && grep -q '^Restart=on-failure' "$U" && grep -q '^LimitRTPRIO=' "$U" && ! grep -q '@' "$U"
then pass unit_file; else fail unit_file "$(grep -E '^(Exec|Env)' "$U")"; fi
# Every variable the unit uses is set in the settings file.
missing=""
for v in $(grep -o '\${\?CS_[A-Z_]*' "$U" | tr -d '${' | sort -u); do
    grep -q "^$v=" "$R/etc/default/cs-play" || missing="$missing $v"
done
[ -z "$missing" ] && pass settings_complete || fail settings_complete "not in /etc/default/cs-play:$missing"

# The man page against every --help (roff's \- is a -).
man=$(sed -e 's/\\-/-/g' -e 's/\\e/\\/g' "$R/usr/local/share/man/man1/cs.1")
cmds=$("$CS_REL" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1; next } on && !/^  / { on = 0 }')
absent="" n=0
for c in "" $cmds; do
    for o in $("$CS_REL" $c --help 2>&1 | grep -oE -- '--[a-z][a-z0-9_-]*' | sort -u); do
        n=$((n + 1))
        grep -qF -- "$o" <<<"$man" || absent="$absent ${c:-cs} $o;"
    done
done
[ -z "$absent" ] && [ "$n" -gt 40 ] && pass man_has_every_option || fail man_has_every_option "$n options; absent:$absent"
grep -q '^\.SS "cs export"' "$R/usr/local/share/man/man1/cs.1" && pass man_sections || fail man_sections "no cs export section"

"${MK[@]}" uninstall DESTDIR="$R" PREFIX=/usr/local >/dev/null 2>&1
left=$(cd "$R" && find . -type f | sed 's|^\./||')
[ "$left" = "etc/default/cs-play" ] && pass uninstall || fail uninstall "left: $(echo $left)"

# The Debian package.
"${MK[@]}" deb >"$T/deb.log" 2>&1 || { fail deb "$(tail -3 "$T/deb.log")"; exit 0; }
deb=$(ls "$CS_ROOT"/build/cs_"$(cat "$CS_ROOT/VERSION")"_*.deb 2>/dev/null | head -1)
files=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
bad=""
for f in ./usr/bin/cs ./usr/share/man/man1/cs.1.gz ./lib/systemd/system/cs-play.service ./etc/default/cs-play \
         ./usr/share/doc/cs/README.md ./usr/share/doc/cs/docs/guide.md ./usr/share/doc/cs/docs/examples/rekordbox.xml; do
    grep -qx -- "$f" <<<"$files" || bad="$bad $f"
done
[ -z "$bad" ] && pass deb_files || fail deb_files "missing:$bad"
dep=$(dpkg-deb -f "$deb" Depends)
bad=""
for lib in libc6 libsdl2-2.0-0 liblo7 librubberband2 libavcodec59 libavformat59 libavfilter8 libswresample4 \
           libsndfile1 libcjson1 libxml2 libsqlite3-0; do
    grep -q "\b$lib\b" <<<"$dep" || bad="$bad $lib"
done
grep -q -- '-dev' <<<"$dep" && bad="$bad (a -dev package)"
[ -z "$bad" ] && pass deb_depends || fail deb_depends "Depends lacks$bad: $dep"
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/default/cs-play ] && pass deb_conffiles \
    || fail deb_conffiles "settings not a conffile"
